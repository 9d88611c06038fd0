package org

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// ElectionHandler serves the election pages (换届).
type ElectionHandler struct {
	pool *pgxpool.Pool
	orgs *Handler
}

// NewElections returns the election handlers.
func NewElections(pool *pgxpool.Pool) *ElectionHandler {
	return &ElectionHandler{pool: pool, orgs: New(pool)}
}

// ElectionsPage lists terms with their election state and the elections.
type ElectionsPage struct {
	Terms     []TermDue
	Elections []Election
	Today     time.Time
	Scope     auth.Scope
}

// List shows the terms in scope, overdue and due first, and the elections.
func (h *ElectionHandler) List(w http.ResponseWriter, r *http.Request) error {
	s := auth.ScopeOf(r.Context())
	today := h.orgs.today()
	ts, err := TermsDue(r.Context(), h.pool, s.ReadRoots(), today)
	if err != nil {
		return err
	}
	es, err := Elections(r.Context(), h.pool, s.ReadRoots())
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ElectionsView(ElectionsPage{Terms: ts, Elections: es, Today: today, Scope: s}))
}

// ElectionFormPage is the form of an election.
type ElectionFormPage struct {
	O      *Org
	Form   ElectionForm
	Voters []Voter
	Due    int
}

func (h *ElectionHandler) writableOrg(r *http.Request, raw string) (*Org, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("org: election org: %w", apperr.ErrNotFound)
	}
	o, err := h.orgs.store.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	s := auth.ScopeOf(r.Context())
	if !s.CanRead(o.Path) {
		return nil, fmt.Errorf("org: election org %d outside scope: %w", id, apperr.ErrNotFound)
	}
	if !CanRecordElection(s, o.Path) {
		return nil, fmt.Errorf("org: election org %d read only: %w", id, apperr.ErrForbidden)
	}
	return o, nil
}

func (h *ElectionHandler) current(r *http.Request, orgID int64) (*Term, int, error) {
	terms, err := h.orgs.store.Terms(r.Context(), orgID)
	if err != nil {
		return nil, 0, err
	}
	next := 1
	if len(terms) > 0 {
		next = terms[0].TermNo + 1
	}
	for i := range terms {
		if terms[i].Current {
			return &terms[i], next, nil
		}
	}
	return nil, next, nil
}

// NewPage shows the election form of an organisation.
func (h *ElectionHandler) NewPage(w http.ResponseWriter, r *http.Request) error {
	o, err := h.writableOrg(r, r.URL.Query().Get("org"))
	if err != nil {
		return err
	}
	_, next, err := h.current(r, o.ID)
	if err != nil {
		return err
	}
	today := h.orgs.today()
	voters, err := Voters(r.Context(), h.pool, o.ID, today)
	if err != nil {
		return err
	}
	f := ElectionForm{HeldOn: today.Format(dateLayout), Method: "competitive", TermNo: strconv.Itoa(next),
		Cand: make([]string, CandidateRows), Votes: make([]string, CandidateRows), Post: make([]string, CandidateRows)}
	return ui.Render(w, r, http.StatusOK, ElectionFormView(ElectionFormPage{O: o, Form: f, Voters: voters, Due: CountVoters(voters)}))
}

// Create records an election, awaiting the reviewer's approval.
func (h *ElectionHandler) Create(w http.ResponseWriter, r *http.Request) error {
	o, err := h.writableOrg(r, r.PostFormValue("org"))
	if err != nil {
		return err
	}
	current, _, err := h.current(r, o.ID)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := ElectionForm{HeldOn: v("held_on"), Method: v("method"), VotersPresent: v("voters_present"), TermNo: v("term_no"), DueOn: v("due_on"),
		Cand: make([]string, CandidateRows), Votes: make([]string, CandidateRows), Post: make([]string, CandidateRows)}
	for i := range CandidateRows {
		n := strconv.Itoa(i)
		f.Cand[i], f.Votes[i], f.Post[i] = v("cand_"+n), v("votes_"+n), v("post_"+n)
	}
	day := h.orgs.today()
	if d, err := time.Parse(dateLayout, f.HeldOn); err == nil && !d.After(day) {
		day = d
	}
	voters, err := Voters(r.Context(), h.pool, o.ID, day)
	if err != nil {
		return err
	}
	vals := f.Validate(voters, current, h.orgs.years(o.Kind), h.orgs.today())
	if len(f.Errors) > 0 {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ElectionFormView(ElectionFormPage{O: o, Form: f, Voters: voters, Due: CountVoters(voters)}))
	}
	id, err := h.orgs.store.RecordElection(r.Context(), o.ID, vals)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/elections/%d", id), "election.flash.recorded")
}

// ElectionPage is one election.
type ElectionPage struct {
	E          Election
	CanApprove bool
	Note       string
	Error      string
}

func (h *ElectionHandler) load(r *http.Request) (Election, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Election{}, fmt.Errorf("org: election id: %w", apperr.ErrNotFound)
	}
	e, err := GetElection(r.Context(), h.pool, id)
	if err != nil {
		return Election{}, err
	}
	if !auth.ScopeOf(r.Context()).CanRead(e.OrgPath) {
		return Election{}, fmt.Errorf("org: election %d outside scope: %w", id, apperr.ErrNotFound)
	}
	return e, nil
}

// Show shows an election with the reviewer's decision form.
func (h *ElectionHandler) Show(w http.ResponseWriter, r *http.Request) error {
	e, err := h.load(r)
	if err != nil {
		return err
	}
	can := e.Status == "recorded" && CanApproveElection(auth.ScopeOf(r.Context()), e.OrgPath)
	return ui.Render(w, r, http.StatusOK, ElectionView(ElectionPage{E: e, CanApprove: can}))
}

// Decide approves or refuses an election (the reviewer above).
func (h *ElectionHandler) Decide(w http.ResponseWriter, r *http.Request) error {
	e, err := h.load(r)
	if err != nil {
		return err
	}
	if !CanApproveElection(auth.ScopeOf(r.Context()), e.OrgPath) {
		return fmt.Errorf("org: decide election %d: %w", e.ID, apperr.ErrForbidden)
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	decision := r.PostFormValue("decision")
	p := ElectionPage{E: e, CanApprove: e.Status == "recorded", Note: note}
	switch {
	case decision != "approve" && decision != "refuse":
		p.Error = "election.error.decision"
	case decision == "refuse" && note == "":
		p.Error = "election.error.refusal_note"
	case len([]rune(note)) > 2000:
		p.Error = "election.error.note_long"
	}
	if p.Error != "" {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ElectionView(p))
	}
	if err := h.orgs.store.DecideElection(r.Context(), e.ID, decision == "approve", note, h.orgs.today()); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/elections/%d", e.ID), "election.flash."+decision)
}
