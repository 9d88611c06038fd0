package ui

import (
	"net/url"
	"strconv"
)

// Errors maps a form field's name to the translation key of its message.
// The zero value is an empty set ready to use: Add and Set allocate the
// map on first use (reading a nil map is fine). A function that adds to
// someone else's Errors takes a *Errors.
type Errors map[string]string

// Add records a message for a field, keeping the first one.
func (e *Errors) Add(field, key string) {
	if _, ok := (*e)[field]; ok {
		return
	}
	e.Set(field, key)
}

// Set records a message for a field, replacing any earlier one.
func (e *Errors) Set(field, key string) {
	if *e == nil {
		*e = Errors{}
	}
	(*e)[field] = key
}

// Any reports whether any field has a message.
func (e Errors) Any() bool { return len(e) > 0 }

// Option is one choice of a select field.
type Option struct {
	Value string
	Label string // translation key, or literal text when Literal is set
	// Literal marks Label as data (a person's or branch's name), not a key.
	Literal bool
}

// Field describes one labelled form input with its value and message.
type Field struct {
	Name         string
	Label        string // translation key
	Type         string // text, date, datetime-local, number, password, tel …
	Value        string
	Error        string // translation key
	Hint         string // translation key
	Required     bool
	Autocomplete string
	Options      []Option
	Rows         int
	Step         string
	MaxLength    int
	// ID overrides the element id ("f-" + Name) where a page holds two
	// forms with a field of the same name.
	ID string
}

// selectOptions are a drop-down's options. A required one starts on an
// empty "请选择" unless its options already have an empty choice, so the
// browser's required check fires and a careless save never records the
// first real value.
func (f Field) selectOptions() []Option {
	if !f.Required {
		return f.Options
	}
	for _, o := range f.Options {
		if o.Value == "" {
			return f.Options
		}
	}
	return append([]Option{{Value: "", Label: "form.choose"}}, f.Options...)
}

func (f Field) id() string {
	if f.ID != "" {
		return f.ID
	}
	return "f-" + f.Name
}
func (f Field) errID() string  { return f.id() + "-error" }
func (f Field) hintID() string { return f.id() + "-hint" }
func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f Field) describedBy() string {
	s := ""
	if f.Hint != "" {
		s = f.hintID()
	}
	if f.Error != "" {
		if s != "" {
			s += " "
		}
		s += f.errID()
	}
	return s
}

// Pager describes one page of a long list.
type Pager struct {
	Page     int // 1-based
	PageSize int
	Total    int
	// Query is the list's current query; the pager changes only "page".
	Query url.Values
	Path  string
}

// Pages is the number of pages, at least 1.
func (p Pager) Pages() int {
	if p.PageSize <= 0 || p.Total <= 0 {
		return 1
	}
	return (p.Total + p.PageSize - 1) / p.PageSize
}

// Offset is the SQL OFFSET of the page.
func (p Pager) Offset() int {
	if p.Page < 1 {
		return 0
	}
	return (p.Page - 1) * p.PageSize
}

// URL is the address of page n with the other parameters kept.
func (p Pager) URL(n int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return p.Path + "?" + q.Encode()
}

// SortURL is the address of the list sorted by key, flipping the direction
// when it is already sorted by key.
func SortURL(path string, query url.Values, key string) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	dir := "asc"
	if q.Get("sort") == key && q.Get("dir") != "desc" {
		dir = "desc"
	}
	q.Set("sort", key)
	q.Set("dir", dir)
	q.Del("page")
	return path + "?" + q.Encode()
}

// PageParam reads the 1-based page number from the query, 1 when absent or bad.
func PageParam(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// AriaSort is a sortable column header's aria-sort for the list's query.
func AriaSort(q url.Values, key string) string {
	if q.Get("sort") != key {
		return "none"
	}
	if q.Get("dir") == "desc" {
		return "descending"
	}
	return "ascending"
}
