package org

import (
	"strconv"
	"zhibu/internal/commend"
	"zhibu/internal/life"

	"zhibu/internal/ui"
)

// TreePage is the tree page's view model.
type TreePage struct {
	Orgs          []Org
	Admin         bool
	WithDissolved bool
}

// ShowPage is an organisation page's view model.
type ShowPage struct {
	O         *Org
	Terms     []Term
	Current   *Term
	TermState string
	Warnings  []string
	Children  []Org
	Admin     bool
	Roster    bool
	// Overdue lists the rectification items of the organisation and those
	// under it that are past their deadline.
	Overdue []life.Item
	// Commendations granted to the organisation.
	Commendations []commend.Commendation
}

// FormPage is the organisation form's view model.
type FormPage struct {
	New      bool
	O        *Org
	Form     Form
	Parents  []Org
	Errors   ui.Errors
	Conflict *Org // the organisation as saved meanwhile (409)
}

// DissolvePage is the dissolve confirmation's view model.
type DissolvePage struct {
	O      *Org
	Date   string
	Errors ui.Errors
}

// TermPage is the new-term form's view model.
type TermPage struct {
	O          *Org
	Form       TermForm
	Candidates []Candidate
	Years      int
	Errors     ui.Errors
}

func orgURL(id int64, rest string) string { return "/orgs/" + strconv.FormatInt(id, 10) + rest }

func indent(o Org) string { return "depth-" + strconv.Itoa(min(o.Depth(), 4)) }

func (p FormPage) action() string {
	if p.New {
		return "/orgs/new"
	}
	return orgURL(p.O.ID, "/edit")
}

func (p FormPage) parentField() ui.Field {
	f := ui.Field{Name: "parent_id", Label: "org.field.parent", Value: p.Form.ParentID, Error: p.Errors["parent_id"]}
	f.Options = []ui.Option{{Value: "", Label: "org.parent.none"}}
	for _, o := range p.Parents {
		if o.Kind == "group" {
			continue
		}
		f.Options = append(f.Options, ui.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name, Literal: true})
	}
	return f
}

func (p FormPage) kindField() ui.Field {
	f := ui.Field{Name: "kind", Label: "org.field.kind", Value: p.Form.Kind, Error: p.Errors["kind"], Required: true}
	for _, k := range Kinds {
		f.Options = append(f.Options, ui.Option{Value: k, Label: "org.kind." + k})
	}
	return f
}

func (p FormPage) nameField() ui.Field {
	return ui.Field{Name: "name", Label: "org.field.name", Value: p.Form.Name, Error: p.Errors["name"], Required: true, MaxLength: 200}
}

func (p FormPage) establishedField() ui.Field {
	return ui.Field{Name: "established_on", Label: "org.field.established_on", Type: "date", Value: p.Form.EstablishedOn, Error: p.Errors["established_on"], Required: true}
}

func (p TermPage) postField(post string) ui.Field {
	f := ui.Field{Name: "post_" + post, Label: "org.post." + post, Value: p.Form.Posts[post], Error: p.Errors["post_"+post], Required: post == "secretary"}
	f.Options = []ui.Option{{Value: "", Label: "org.post.vacant"}}
	for _, c := range p.Candidates {
		f.Options = append(f.Options, ui.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name, Literal: true})
	}
	return f
}

// key builds the translation key of an enumerated value.
func key(prefix, value string) string { return prefix + value }
