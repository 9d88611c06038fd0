package rules

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// The reviewer's rule settings of an organisation in the committee's
// subtree (/review/orgs/{id}/rules): what applies there and where it
// comes from, and the organisation's own overrides, each from a date with
// the local document it rests on. The defaults stay with the system
// administrator (/admin/rules).

// ScopeRow is one rule as it stands for an organisation today.
type ScopeRow struct {
	Default Rule      // the agency-wide version in force today
	Applied Rule      // the version that applies today (an override or the default)
	From    *ScopeOrg // the organisation that set Applied; nil: the agency default
	Own     *Rule     // the organisation's own current override (in force or starting later)
}

// ScopePage is the view model of /review/orgs/{id}/rules.
type ScopePage struct {
	Org  ScopeOrg
	Path []ScopeOrg // the organisations from the reviewer's committee down to Org
	Rows []ScopeRow
}

// OverrideForm is the page of one rule for an organisation: its state,
// the organisation's versions, and the forms to override and to remove.
type OverrideForm struct {
	Org           ScopeOrg
	Path          []ScopeOrg
	Row           ScopeRow
	Versions      []Rule // the organisation's own versions, newest first
	Minimum       string
	Maximum       string
	Enabled       bool
	Kinds         []string
	Source        string
	EffectiveFrom string
	Errors        ui.Errors
	Conflict      bool
	RemoveFrom    string
	RemoveReason  string
	RemoveErrors  ui.Errors
	// Pending: the organisation's own override is not yet in force (it
	// starts today or later); removing it deletes it, without a date.
	Pending bool
}

// scopeOrg loads the organisation of the request and checks that it lies
// in the reviewer's committee subtree (404 otherwise: it does not exist
// for them); Party groups have no rules of their own.
func (h *Handler) scopeOrg(r *http.Request) (ScopeOrg, []int64, []ScopeOrg, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return ScopeOrg{}, nil, nil, apperr.ErrNotFound
	}
	path, err := auth.OrgPath(r.Context(), h.store.pool, id)
	if err != nil {
		return ScopeOrg{}, nil, nil, err
	}
	s := auth.ScopeOf(r.Context())
	if err := s.CheckRead(path); err != nil {
		return ScopeOrg{}, nil, nil, err
	}
	if !s.CanWriteCommittee(path) {
		return ScopeOrg{}, nil, nil, fmt.Errorf("rules: organisation %d outside the committee: %w", id, apperr.ErrNotFound)
	}
	names, err := PathOrgs(r.Context(), h.store.pool, path)
	if err != nil {
		return ScopeOrg{}, nil, nil, err
	}
	org := names[id]
	if org.Kind == "group" {
		return ScopeOrg{}, nil, nil, apperr.ErrNotFound
	}
	var crumbs []ScopeOrg
	in := false
	for _, p := range path {
		in = in || p == s.Committee()
		if in {
			crumbs = append(crumbs, names[p])
		}
	}
	return org, path, crumbs, nil
}

// scopeRows works out every default rule's state for the organisation.
func (h *Handler) scopeRows(r *http.Request, org ScopeOrg, path []int64) ([]ScopeRow, []Rule, error) {
	all, err := LoadScoped(r.Context(), h.store.pool)
	if err != nil {
		return nil, nil, err
	}
	names, err := PathOrgs(r.Context(), h.store.pool, path)
	if err != nil {
		return nil, nil, err
	}
	today := h.today()
	res := NewResolver(all)
	applied := map[string]Rule{}
	for _, v := range InForceOn(res.For(path), today) {
		applied[v.Code] = v
	}
	var rows []ScopeRow
	for _, d := range InForceOn(res.Defaults(), today) {
		row := ScopeRow{Default: d, Applied: applied[d.Code]}
		if o := row.Applied.OrgID; o != nil {
			n := names[*o]
			row.From = &n
		}
		for _, v := range all {
			if v.Code == d.Code && v.OrgID != nil && *v.OrgID == org.ID && v.EffectiveTo == nil {
				row.Own = &v
			}
		}
		rows = append(rows, row)
	}
	return rows, all, nil
}

// Scope shows an organisation's rule settings.
func (h *Handler) Scope(w http.ResponseWriter, r *http.Request) error {
	org, path, crumbs, err := h.scopeOrg(r)
	if err != nil {
		return err
	}
	rows, _, err := h.scopeRows(r, org, path)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ScopeView(ScopePage{Org: org, Path: crumbs, Rows: rows}))
}

// overrideForm loads the page of one rule for the organisation.
func (h *Handler) overrideForm(r *http.Request) (OverrideForm, error) {
	org, path, crumbs, err := h.scopeOrg(r)
	if err != nil {
		return OverrideForm{}, err
	}
	rows, all, err := h.scopeRows(r, org, path)
	if err != nil {
		return OverrideForm{}, err
	}
	code := chi.URLParam(r, "code")
	i := slices.IndexFunc(rows, func(x ScopeRow) bool { return x.Default.Code == code })
	if i < 0 {
		return OverrideForm{}, fmt.Errorf("rules: rule %q: %w", code, apperr.ErrNotFound)
	}
	f := OverrideForm{Org: org, Path: crumbs, Row: rows[i]}
	for _, v := range all {
		if v.Code == code && v.OrgID != nil && *v.OrgID == org.ID {
			f.Versions = append(f.Versions, v)
		}
	}
	a := f.Row.Applied
	if f.Row.Own != nil {
		a = *f.Row.Own
	}
	if a.ID == 0 {
		a = f.Row.Default
	}
	next := FirstChangeDay(h.today()).AddDate(0, 1, 0).Format(time.DateOnly)
	f.Minimum, f.Maximum, f.Enabled, f.Kinds, f.EffectiveFrom, f.RemoveFrom = fmtNum(a.Minimum), fmtMax(a.Maximum), a.Enabled, a.Counted(), next, next
	if f.Row.Own != nil {
		f.Source = f.Row.Own.Source
		f.Pending = f.Row.Own.Pending(h.today())
	}
	return f, nil
}

// Override shows one rule of an organisation with its forms.
func (h *Handler) Override(w http.ResponseWriter, r *http.Request) error {
	f, err := h.overrideForm(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, OverrideView(f))
}

// parseChangeDay reads an effective date of a subtree's change: not before
// the first of the current month (the months judged keep their versions).
func parseChangeDay(s string, today time.Time, errs *ui.Errors, field string) time.Time {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	switch {
	case err != nil:
		errs.Add(field, "rules.error.date")
	case d.Before(FirstChangeDay(today)):
		errs.Add(field, "rulescope.error.before_month")
	}
	return d
}

// SaveOverride sets the organisation's own version of a rule from a date.
func (h *Handler) SaveOverride(w http.ResponseWriter, r *http.Request) error {
	f, err := h.overrideForm(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	v := r.PostFormValue
	f.Minimum, f.Maximum, f.Enabled, f.Source, f.EffectiveFrom = v("minimum"), v("maximum"), v("enabled") == "on", v("source"), v("effective_from")
	f.Kinds = r.PostForm["kinds"]
	base, _ := strconv.ParseInt(v("base"), 10, 64)
	o := Override{Code: f.Row.Default.Code, OrgID: f.Org.ID, BaseID: base, Enabled: f.Enabled}
	if n := parseNum(f.Minimum, &f.Errors, "minimum", true); n != nil {
		o.Minimum = *n
	}
	o.Maximum = parseNum(f.Maximum, &f.Errors, "maximum", false)
	if o.Maximum != nil && *o.Maximum < o.Minimum {
		f.Errors.Add("maximum", "rules.error.max_below_min")
	}
	if f.Row.Default.Kind == KindMeetings {
		if len(f.Kinds) == 0 || slices.ContainsFunc(f.Kinds, func(k string) bool { return !slices.Contains(MeetingKinds, k) }) {
			f.Errors.Add("kinds", "rulescope.error.kinds")
		}
		o.CountedKinds = slices.Compact(slices.Sorted(slices.Values(f.Kinds)))
	}
	o.Source = parseText(f.Source, 300, &f.Errors, "source")
	today := h.today()
	o.EffectiveFrom = parseChangeDay(f.EffectiveFrom, today, &f.Errors, "effective_from")
	if own := f.Row.Own; own != nil && !own.Pending(today) && f.Errors["effective_from"] == "" && !o.EffectiveFrom.After(own.EffectiveFrom) {
		f.Errors.Add("effective_from", "rules.error.too_early")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, OverrideView(f))
	}
	if _, err := h.store.SetOverride(r.Context(), o, today); err != nil {
		switch {
		case errors.Is(err, apperr.ErrConflict):
			f.Conflict = true
			return ui.Render(w, r, http.StatusConflict, OverrideView(f))
		case errors.Is(err, ErrTooEarly), errors.Is(err, ErrBeforeMonth):
			f.Errors.Add("effective_from", "rules.error.too_early")
			return ui.Render(w, r, http.StatusUnprocessableEntity, OverrideView(f))
		}
		return err
	}
	return ui.Redirect(w, r, ScopeURL(f.Org.ID), "rulescope.flash.saved")
}

// RemoveOverride removes the organisation's own version: one in force
// ends on a date, so the parent's applies from then on; one not yet in
// force is deleted (Store.RemoveOverride).
func (h *Handler) RemoveOverride(w http.ResponseWriter, r *http.Request) error {
	f, err := h.overrideForm(r)
	if err != nil {
		return err
	}
	if f.Row.Own == nil {
		return fmt.Errorf("rules: no override to remove: %w", apperr.ErrNotFound)
	}
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	f.RemoveReason = r.PostFormValue("reason")
	today := h.today()
	var from time.Time
	if !f.Pending {
		f.RemoveFrom = r.PostFormValue("remove_from")
		from = parseChangeDay(f.RemoveFrom, today, &f.RemoveErrors, "remove_from")
		if f.RemoveErrors["remove_from"] == "" && !from.After(f.Row.Own.EffectiveFrom) {
			f.RemoveErrors.Add("remove_from", "rules.error.too_early")
		}
	}
	reason := parseText(f.RemoveReason, 300, &f.RemoveErrors, "reason")
	if r.PostFormValue("confirm") != "yes" {
		f.RemoveErrors.Add("confirm", "rulescope.error.confirm")
	}
	base, _ := strconv.ParseInt(r.PostFormValue("base"), 10, 64)
	if f.RemoveErrors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, OverrideView(f))
	}
	deleted, err := h.store.RemoveOverride(r.Context(), f.Row.Default.Code, f.Org.ID, base, from, reason, today)
	if err != nil {
		switch {
		case errors.Is(err, apperr.ErrConflict):
			f.Conflict = true
			return ui.Render(w, r, http.StatusConflict, OverrideView(f))
		case errors.Is(err, ErrTooEarly), errors.Is(err, ErrBeforeMonth):
			f.RemoveErrors.Add("remove_from", "rules.error.too_early")
			return ui.Render(w, r, http.StatusUnprocessableEntity, OverrideView(f))
		}
		return err
	}
	if deleted {
		return ui.Redirect(w, r, ScopeURL(f.Org.ID), "rulescope.flash.deleted")
	}
	return ui.Redirect(w, r, ScopeURL(f.Org.ID), "rulescope.flash.removed")
}
