package rules

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Handler serves the rule administration pages.
type Handler struct {
	store *Store
	now   func() time.Time
}

// NewHandler returns the rule administration handler.
func NewHandler(s *Store) *Handler { return &Handler{store: s, now: time.Now} }

// ListPage is the view model of /admin/rules.
type ListPage struct {
	Current   []RuleRow
	Scale     string
	SelfStudy bool // self-study counts toward the study minimum
}

// RuleRow is a rule's current version with how many versions it has.
type RuleRow struct {
	Rule     Rule
	Versions int
}

// List shows every rule's current version and the rating scale.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	all, err := h.store.All(r.Context())
	if err != nil {
		return err
	}
	var p ListPage
	idx := map[string]int{}
	for _, rule := range all {
		if i, ok := idx[rule.Code]; ok {
			p.Current[i].Versions++
			continue
		}
		idx[rule.Code] = len(p.Current)
		p.Current = append(p.Current, RuleRow{Rule: rule, Versions: 1})
	}
	if p.Scale, err = RatingScale(r.Context(), h.store.pool); err != nil {
		return err
	}
	if p.SelfStudy, err = SelfStudyCounts(r.Context(), h.store.pool); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ListView(p))
}

// EditForm is the form that changes a rule from a date.
type EditForm struct {
	Rule          Rule // the version being changed
	Versions      []Rule
	Minimum       string
	Maximum       string
	Enabled       bool
	Title         string
	Source        string
	EffectiveFrom string
	Errors        ui.Errors
	Conflict      bool
}

func (h *Handler) versions(r *http.Request, code string) ([]Rule, error) {
	all, err := h.store.All(r.Context())
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, x := range all {
		if x.Code == code {
			out = append(out, x)
		}
	}
	return out, nil
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func fmtMax(f *float64) string {
	if f == nil {
		return ""
	}
	return fmtNum(*f)
}

func (h *Handler) today() time.Time { return Day(h.now().In(i18n.Shanghai)) }

func formFor(ctx context.Context, rule Rule, today time.Time) EditForm {
	return EditForm{Rule: rule, Minimum: fmtNum(rule.Minimum), Maximum: fmtMax(rule.Maximum), Enabled: rule.Enabled,
		Title: rule.TitleText(ctx), Source: rule.SourceText(ctx), EffectiveFrom: today.AddDate(0, 0, 1).Format(time.DateOnly)}
}

// Edit shows the change form of a rule with its versions.
func (h *Handler) Edit(w http.ResponseWriter, r *http.Request) error {
	code := chi.URLParam(r, "code")
	cur, err := h.store.Current(r.Context(), code)
	if err != nil {
		return err
	}
	f := formFor(r.Context(), cur, h.today())
	if f.Versions, err = h.versions(r, code); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, EditView(f))
}

func parseNum(s string, errs *ui.Errors, field string, required bool) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			errs.Add(field, "rules.error.number")
		}
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 100000 {
		errs.Add(field, "rules.error.number")
		return nil
	}
	return &v
}

func parseText(s string, max int, errs *ui.Errors, field string) string {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > max {
		errs.Add(field, "rules.error.text")
	}
	return s
}

// Update applies the change form.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	code := chi.URLParam(r, "code")
	cur, err := h.store.Current(r.Context(), code)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	f := EditForm{Rule: cur, Minimum: r.PostFormValue("minimum"), Maximum: r.PostFormValue("maximum"), Enabled: r.PostFormValue("enabled") == "on",
		Title: r.PostFormValue("title"), Source: r.PostFormValue("source"), EffectiveFrom: r.PostFormValue("effective_from")}
	base, _ := strconv.ParseInt(r.PostFormValue("base"), 10, 64)
	c := Change{Code: code, BaseID: base, Enabled: f.Enabled}
	if v := parseNum(f.Minimum, &f.Errors, "minimum", true); v != nil {
		c.Minimum = *v
	}
	c.Maximum = parseNum(f.Maximum, &f.Errors, "maximum", false)
	if c.Maximum != nil && *c.Maximum < c.Minimum {
		f.Errors.Add("maximum", "rules.error.max_below_min")
	}
	c.Title = cur.storedText(r.Context(), "title", parseText(f.Title, 200, &f.Errors, "title"))
	c.Source = cur.storedText(r.Context(), "source", parseText(f.Source, 300, &f.Errors, "source"))
	from, err := time.Parse(time.DateOnly, strings.TrimSpace(f.EffectiveFrom))
	switch {
	case err != nil:
		f.Errors.Add("effective_from", "rules.error.date")
	case from.Before(h.today()):
		// Past results stay as they were: no back-dated change.
		f.Errors.Add("effective_from", "rules.error.past")
	case !from.After(cur.EffectiveFrom):
		f.Errors.Add("effective_from", "rules.error.too_early")
	}
	c.EffectiveFrom = from
	if f.Versions, err = h.versions(r, code); err != nil {
		return err
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, EditView(f))
	}
	if _, err := h.store.Apply(r.Context(), c); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			f.Conflict = true
			return ui.Render(w, r, http.StatusConflict, EditView(f))
		}
		if errors.Is(err, ErrTooEarly) {
			f.Errors.Add("effective_from", "rules.error.too_early")
			return ui.Render(w, r, http.StatusUnprocessableEntity, EditView(f))
		}
		return err
	}
	return ui.Redirect(w, r, "/admin/rules", "rules.flash.changed")
}

// NewForm is the form that adds a rule of the agency's own.
type NewForm struct {
	Code          string
	Kind          string
	MeetingKind   string
	AppliesTo     string
	Period        string
	Minimum       string
	Maximum       string
	Title         string
	Source        string
	EffectiveFrom string
	Errors        ui.Errors
}

// New shows the form for a new rule.
func (h *Handler) New(w http.ResponseWriter, r *http.Request) error {
	f := NewForm{Minimum: "1", // kind, scope and period start on "请选择"
		EffectiveFrom: h.today().Format(time.DateOnly)}
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Create adds a new rule.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	v := r.PostFormValue
	f := NewForm{Code: strings.TrimSpace(v("code")), Kind: v("kind"), MeetingKind: v("meeting_kind"), AppliesTo: v("applies_to"), Period: v("period"),
		Minimum: v("minimum"), Maximum: v("maximum"), Title: v("title"), Source: v("source"), EffectiveFrom: v("effective_from")}
	rule := Rule{Code: f.Code, Kind: f.Kind, AppliesTo: f.AppliesTo, Period: f.Period, Enabled: true}
	if !codeRE.MatchString(f.Code) {
		f.Errors.Add("code", "rules.error.code")
	}
	if !slices.Contains(Kinds, f.Kind) {
		f.Errors.Add("kind", "rules.error.choice")
	}
	if f.Kind == KindMeetings {
		if !slices.Contains(MeetingKinds, f.MeetingKind) {
			f.Errors.Add("meeting_kind", "rules.error.choice")
		}
		mk := f.MeetingKind
		rule.MeetingKind = &mk
	}
	if !slices.Contains([]string{"branch", "member", "committee"}, f.AppliesTo) {
		f.Errors.Add("applies_to", "rules.error.choice")
	}
	if !slices.Contains([]string{PeriodMonth, PeriodQuarter, PeriodYear, PeriodNone}, f.Period) || (f.Kind == KindMeetings && f.Period == PeriodNone) {
		f.Errors.Add("period", "rules.error.choice")
	}
	if n := parseNum(f.Minimum, &f.Errors, "minimum", true); n != nil {
		rule.Minimum = *n
	}
	rule.Maximum = parseNum(f.Maximum, &f.Errors, "maximum", false)
	if rule.Maximum != nil && *rule.Maximum < rule.Minimum {
		f.Errors.Add("maximum", "rules.error.max_below_min")
	}
	rule.Title = parseText(f.Title, 200, &f.Errors, "title")
	rule.Source = parseText(f.Source, 300, &f.Errors, "source")
	from, err := time.Parse(time.DateOnly, strings.TrimSpace(f.EffectiveFrom))
	if err != nil {
		f.Errors.Add("effective_from", "rules.error.date")
	} else if from.Before(h.today()) {
		f.Errors.Add("effective_from", "rules.error.past")
	}
	rule.EffectiveFrom = from
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	if _, err := h.store.Add(r.Context(), rule); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			f.Errors.Add("code", "rules.error.code_taken")
			return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
		}
		return err
	}
	return ui.Redirect(w, r, "/admin/rules", "rules.flash.added")
}

// SetScale changes the rating scale.
func (h *Handler) SetScale(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	scale := r.PostFormValue("scale")
	if scale != "grades" && scale != "stars" {
		return apperr.ErrInvalid
	}
	if err := h.store.SetRatingScale(r.Context(), scale); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/rules", "rules.flash.scale")
}

// SetSelfStudy changes whether self-study counts toward the study minimum.
func (h *Handler) SetSelfStudy(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	var counts bool
	switch r.PostFormValue("self_study") {
	case "counts":
		counts = true
	case "not_counted":
	default:
		return apperr.ErrInvalid
	}
	if err := h.store.SetSelfStudyCounts(r.Context(), counts); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/rules", "rules.flash.self_study")
}
