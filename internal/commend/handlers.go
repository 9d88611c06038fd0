package commend

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/export"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
	"zhibu/internal/vocab"
)

// Handler serves the commendation pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the commendation handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

// Preset titles; "other" takes a named title typed by the user.
var titleKinds = vocab.CommendationTitleKinds

// memberTitle reports whether a preset title is given to a person.
func memberTitle(kind string) bool {
	return kind == "outstanding_member" || kind == "outstanding_worker"
}

// grantRoots are the organisations whose members and units the user may
// honour: a reviewer's committee, or a secretary's branch (nominations only).
func grantRoots(s auth.Scope) []int64 {
	if r := s.Committee(); r != 0 {
		return []int64{r}
	}
	return s.WriteRoots()
}

// ListPage is the view model of the commendation list.
type ListPage struct {
	Items    []Commendation
	Pager    ui.Pager
	Year     string
	Level    string
	Search   string
	CanGrant bool
	Export   string
	Years    []YearRow
}

func filterOf(r *http.Request, s auth.Scope) (Filter, string, string) {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	level := q.Get("level")
	if !slices.Contains(Levels, level) {
		level = ""
	}
	return Filter{Roots: s.ReadRoots(), Year: year, Level: level, Status: "granted", Search: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}, q.Get("year"), level
}

// List shows the granted commendations by year and level.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	f, year, level := filterOf(r, s)
	p := ui.Pager{Page: ui.PageParam(r.URL.Query()), PageSize: pageSize, Query: r.URL.Query(), Path: "/commendations"}
	f.Limit, f.Offset = pageSize, p.Offset()
	items, total, err := List(ctx, h.pool, f)
	if err != nil {
		return err
	}
	p.Total = total
	sum, err := Summary(ctx, h.pool, s.ReadRoots())
	if err != nil {
		return err
	}
	exp := "/commendations/export.xlsx"
	if enc := r.URL.Query().Encode(); enc != "" {
		exp += "?" + enc
	}
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Items: items, Pager: p, Year: year, Level: level, Search: f.Search, CanGrant: len(grantRoots(s)) > 0, Export: exp, Years: SummaryYears(sum)}))
}

// Export sends the filtered list as an .xlsx workbook.
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, _, _ := filterOf(r, auth.ScopeOf(ctx))
	items, _, err := List(ctx, h.pool, f)
	if err != nil {
		return err
	}
	b := export.NewBook()
	defer func() { _ = b.Close() }()
	head := []string{}
	for _, k := range []string{"commend.col.title", "commend.col.recipient", "commend.col.org", "commend.col.level", "commend.col.granted_on", "commend.col.issuer", "commend.col.document_no", "commend.col.citation"} {
		head = append(head, i18n.T(ctx, k))
	}
	sheet := b.Sheet(i18n.T(ctx, "commend.title"), head...)
	for _, c := range items {
		sheet.Row(vocab.CommendationTitle(ctx, c.Title), c.Recipient(), c.OrgName, i18n.T(ctx, key("commend.level.", c.Level)), c.GrantedOn, c.Issuer, c.DocumentNo, c.Citation)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="commendations.xlsx"`)
	return b.Write(w)
}

// Form is the grant / nomination form.
type Form struct {
	TitleKind, Title, Level   string
	GrantedOn, Issuer, DocNo  string
	Citation, MemberID, OrgID string
	Members, Orgs             []Choice
	Reviewer                  bool
	Errors                    ui.Errors
}

func (h *Handler) form(r *http.Request) (Form, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	roots := grantRoots(s)
	if len(roots) == 0 {
		return Form{}, fmt.Errorf("commend: no scope to grant in: %w", apperr.ErrForbidden)
	}
	members, err := Members(ctx, h.pool, roots)
	if err != nil {
		return Form{}, err
	}
	orgs, err := Orgs(ctx, h.pool, roots)
	if err != nil {
		return Form{}, err
	}
	return Form{Members: members, Orgs: orgs, Reviewer: s.Committee() != 0}, nil
}

// NewPage shows the grant (or, for a secretary, nomination) form.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	f, err := h.form(r)
	if err != nil {
		return err
	}
	f.GrantedOn = today().Format("2006-01-02") // title and level start on "请选择"
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// Validate checks the form and returns what to store.
func (f *Form) Validate(action string) Input {
	in := Input{Level: f.Level, Issuer: f.Issuer, DocumentNo: f.DocNo, Citation: f.Citation, Status: "nominated"}
	if action == "grant" && f.Reviewer {
		in.Status = "granted"
	}
	if !slices.Contains(titleKinds, f.TitleKind) {
		f.Errors.Add("title_kind", "commend.error.title")
	} else if f.TitleKind == "other" {
		if f.Title == "" || utf8.RuneCountInString(f.Title) > 100 {
			f.Errors.Add("title", "commend.error.title_text")
		}
		in.Title = f.Title
	} else {
		in.Title = i18n.TL(i18n.ZH, key("commend.preset.", f.TitleKind))
	}
	if !slices.Contains(Levels, f.Level) {
		f.Errors.Add("level", "commend.error.level")
	}
	d, err := time.Parse("2006-01-02", f.GrantedOn)
	if err != nil {
		f.Errors.Add("granted_on", "commend.error.date")
	}
	in.GrantedOn = d
	if f.Issuer == "" || utf8.RuneCountInString(f.Issuer) > 200 {
		f.Errors.Add("issuer", "commend.error.issuer")
	}
	if utf8.RuneCountInString(f.DocNo) > 100 {
		f.Errors.Add("document_no", "commend.error.too_long")
	}
	if utf8.RuneCountInString(f.Citation) > 2000 {
		f.Errors.Add("citation", "commend.error.too_long")
	}
	mid, _ := strconv.ParseInt(f.MemberID, 10, 64)
	oid, _ := strconv.ParseInt(f.OrgID, 10, 64)
	known := func(list []Choice, id int64) bool {
		return slices.ContainsFunc(list, func(c Choice) bool { return c.ID == id })
	}
	switch {
	case (mid == 0) == (oid == 0):
		f.Errors.Add("member_id", "commend.error.one_recipient")
	case mid != 0 && !known(f.Members, mid):
		f.Errors.Add("member_id", "commend.error.recipient")
	case oid != 0 && !known(f.Orgs, oid):
		f.Errors.Add("org_id", "commend.error.recipient")
	case mid != 0 && f.TitleKind == "advanced_org":
		f.Errors.Add("member_id", "commend.error.org_title")
	case oid != 0 && memberTitle(f.TitleKind):
		f.Errors.Add("org_id", "commend.error.member_title")
	case mid != 0 && f.TitleKind == "outstanding_member" && slices.ContainsFunc(f.Members, func(c Choice) bool { return c.ID == mid && c.Category == "probationary" }):
		f.Errors.Add("member_id", "commend.error.probationary")
	}
	if mid != 0 {
		in.MemberID = &mid
	}
	if oid != 0 {
		in.OrgID = &oid
	}
	return in
}

// Create grants a commendation (reviewers) or proposes a nominee.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := h.form(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.TitleKind, f.Title, f.Level, f.GrantedOn = v("title_kind"), v("title"), v("level"), v("granted_on")
	f.Issuer, f.DocNo, f.Citation, f.MemberID, f.OrgID = v("issuer"), v("document_no"), v("citation"), v("member_id"), v("org_id")
	in := f.Validate(v("action"))
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	_, err = h.store.Create(ctx, in)
	if errors.Is(err, ErrTwice) {
		f.Errors.Add("member_id", "commend.error.twice")
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	if errors.Is(err, ErrSanctioned) {
		f.Errors.Add("member_id", "commend.error.sanctioned")
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	if err != nil {
		return err
	}
	if in.Status == "granted" {
		return ui.Redirect(w, r, "/commendations", "commend.flash.granted")
	}
	return ui.Redirect(w, r, "/commendations/nominees", "commend.flash.nominated")
}

// NomineesPage is the list of nominees awaiting approval.
type NomineesPage struct {
	Items      []Commendation
	CanApprove bool
	Error      string
}

func (h *Handler) nominees(r *http.Request) ([]Commendation, error) {
	ctx := r.Context()
	items, _, err := List(ctx, h.pool, Filter{Roots: auth.ScopeOf(ctx).ReadRoots(), Status: "nominated"})
	return items, err
}

// Nominees lists the nominees in the user's scope; a reviewer approves them.
func (h *Handler) Nominees(w http.ResponseWriter, r *http.Request) error {
	items, err := h.nominees(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, NomineesView(NomineesPage{Items: items, CanApprove: auth.ScopeOf(r.Context()).Committee() != 0}))
}

// Approve grants the checked nominees in one step.
func (h *Handler) Approve(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	root := auth.ScopeOf(ctx).Committee()
	if root == 0 {
		return fmt.Errorf("commend: approve by a non-reviewer: %w", apperr.ErrForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("commend: approve form: %w", apperr.ErrInvalid)
	}
	var ids []int64
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("commend: approve id %q: %w", s, apperr.ErrInvalid)
		}
		ids = append(ids, id)
	}
	p := NomineesPage{CanApprove: true}
	switch {
	case len(ids) == 0:
		p.Error = "commend.error.none_checked"
	case r.PostFormValue("confirm") != "yes":
		p.Error = "commend.error.confirm"
	}
	if p.Error == "" {
		_, err := h.store.Approve(ctx, root, ids)
		switch {
		case err == nil:
			return ui.Redirect(w, r, "/commendations", "commend.flash.approved")
		case errors.Is(err, ErrSanctioned):
			p.Error = "commend.error.sanctioned"
		case errors.Is(err, apperr.ErrConflict):
			p.Error = "commend.error.changed"
		default:
			return err
		}
	}
	items, err := h.nominees(r)
	if err != nil {
		return err
	}
	p.Items = items
	status := http.StatusUnprocessableEntity
	if p.Error == "commend.error.changed" {
		status = http.StatusConflict
	}
	return ui.Render(w, r, status, NomineesView(p))
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
