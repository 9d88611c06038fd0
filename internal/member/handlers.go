package member

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
	"zhibu/internal/commend"
	"zhibu/internal/i18n"
	"zhibu/internal/life"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/pii"
	"zhibu/internal/ui"
)

// PageSize is the number of roster rows a page.
const PageSize = 50

// Handler serves the roster pages.
type Handler struct {
	store *Store
	pool  *pgxpool.Pool
	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// New returns the roster handlers; sealer seals ID and phone numbers.
func New(pool *pgxpool.Pool, sealer *pii.Sealer) *Handler {
	return &Handler{store: NewStore(pool, sealer), pool: pool, Now: time.Now}
}

func (h *Handler) today() time.Time {
	n := h.Now().In(i18n.Shanghai) // the agency's day, whatever the server's zone
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("member: bad id %q: %w", chi.URLParam(r, name), apperr.ErrNotFound)
	}
	return id, nil
}

// load returns the member named in the URL if the user may read it.
func (h *Handler) load(r *http.Request) (*Member, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := h.store.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := auth.ScopeOf(r.Context()).CheckRead(m.BranchPath); err != nil {
		return nil, fmt.Errorf("member: %d: %w", id, err)
	}
	return m, nil
}

// loadWritable returns the member if the user may change it: 404 outside
// the read scope, 403 when only readable.
func (h *Handler) loadWritable(r *http.Request) (*Member, error) {
	m, err := h.load(r)
	if err != nil {
		return nil, err
	}
	if err := auth.ScopeOf(r.Context()).CheckWrite(m.BranchPath); err != nil {
		return nil, fmt.Errorf("member: %d: %w", m.ID, err)
	}
	return m, nil
}

// filterFrom reads the roster's filters from the query.
func filterFrom(q url.Values, roots []int64) Filter {
	f := Filter{Roots: roots, Q: q.Get("q"), Category: q.Get("category"), Status: q.Get("status"), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc"}
	if !slices.Contains(Categories, f.Category) {
		f.Category = ""
	}
	if !slices.Contains(Statuses, f.Status) {
		f.Status = ""
	}
	f.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	f.GroupID, _ = strconv.ParseInt(q.Get("group"), 10, 64)
	if len([]rune(f.Q)) > 50 {
		f.Q = string([]rune(f.Q)[:50])
	}
	return f
}

// List shows the roster of the user's scope, or of one organisation's
// subtree (?org=), with search, filters, sorting and pages.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	f := filterFrom(q, s.ReadRoots())
	page := ui.PageParam(q)
	f.Limit, f.Offset = PageSize, (page-1)*PageSize
	data, err := h.store.Roster(ctx, f, s.ReadRoots())
	if err != nil {
		return err
	}
	if f.OrgID != 0 {
		if err := s.CheckRead(data.OrgPath); err != nil {
			return fmt.Errorf("member: organisation %d: %w", f.OrgID, err)
		}
	}
	p := ListPage{Filter: f, Orgs: data.Orgs, CanWrite: s.Writes(),
		Pager: ui.Pager{Page: page, PageSize: PageSize, Total: data.Total, Query: q, Path: "/members"}}
	today := h.today()
	for _, row := range data.Rows {
		id, phone := h.store.Masked(row.IDNumberEnc, row.PhoneEnc)
		m := Member{Category: row.Category, AdmittedOn: row.AdmittedOn, ProbationExtendedTo: row.ProbationExtendedTo}
		p.Rows = append(p.Rows, ListItem{ID: row.ID, Name: row.Name, Gender: row.Gender, Department: row.Department,
			JobTitle: row.JobTitle, Category: row.Category, Status: row.PartyStatus, IDNumber: id, Phone: phone,
			Branch: row.BranchName, Group: deref(row.GroupName), Conversion: m.ConversionState(today)})
	}
	p.ExportQuery = exportQuery(q)
	return ui.Render(w, r, http.StatusOK, ListView(p))
}

func exportQuery(q url.Values) string {
	e := url.Values{}
	for k, v := range q {
		if k != "page" {
			e[k] = v
		}
	}
	if len(e) == 0 {
		return ""
	}
	return "?" + e.Encode()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Show is a member's page: the record with ID and phone numbers masked,
// the conversion due date, the actions, and the timeline.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	m, err := h.load(r)
	if err != nil {
		return err
	}
	return h.renderShow(w, r, m, false)
}

func (h *Handler) renderShow(w http.ResponseWriter, r *http.Request, m *Member, reveal bool) error {
	ctx := r.Context()
	events, err := h.store.Events(ctx, m.ID)
	if err != nil {
		return err
	}
	p := ShowPage{M: m, Events: events, CanWrite: auth.ScopeOf(ctx).CanWrite(m.BranchPath), Revealed: reveal,
		Conversion: m.ConversionState(h.today()), ConversionDue: m.ConversionDue()}
	if reveal {
		p.IDNumber, p.Phone, err = h.store.Open(m)
		if err != nil {
			return err
		}
	} else {
		p.IDNumber, p.Phone = h.store.Masked(m.IDNumberEnc, m.PhoneEnc)
	}
	if p.Overdue, err = life.OverdueForMember(ctx, h.pool, m.ID); err != nil {
		return err
	}
	if p.Commendations, err = commend.ForMember(ctx, h.pool, m.ID); err != nil {
		return err
	}
	if p.Year, err = h.store.YearOf(ctx, m.ID, h.today().Year()); err != nil {
		return err
	}
	for _, a := range Actions {
		if (Action{Kind: a}).available(m) {
			p.Actions = append(p.Actions, a)
		}
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// available reports whether an action applies to the member's current state
// (the page offers only those).
func (a Action) available(m *Member) bool {
	switch a.Kind {
	case "admit":
		return m.Category == "target"
	case "convert":
		return m.Category == "probationary"
	case "extend":
		return m.Category == "probationary" && m.ProbationExtendedTo == nil
	case "transfer_out":
		return m.PartyStatus == "normal" || m.PartyStatus == "suspended"
	case "transfer_in":
		return m.PartyStatus == "transferred_out"
	case "move":
		return m.PartyStatus != "transferred_out"
	}
	return true
}

// Reveal shows the member's full ID and phone numbers to the secretary of
// the member's branch, and records that it did.
func (h *Handler) Reveal(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWritable(r)
	if err != nil {
		return err
	}
	if err := h.store.RecordReveal(r.Context(), m.ID); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.renderShow(w, r, m, true)
}

func formFrom(r *http.Request) Form {
	g := r.PostForm.Get
	v, _ := strconv.Atoi(g("version"))
	return Form{Version: v, BranchID: g("branch_id"), GroupID: g("group_id"), Name: g("name"), Gender: g("gender"),
		Ethnicity: g("ethnicity"), BirthDate: g("birth_date"), NativePlace: g("native_place"), Education: g("education"),
		IDNumber: g("id_number"), Phone: g("phone"), Department: g("department"), JobTitle: g("job_title"),
		Category: g("category"), AppliedOn: g("applied_on"), ActivistOn: g("activist_on"), TargetOn: g("target_on"),
		AdmittedOn: g("admitted_on"), ConvertedOn: g("converted_on"), Notes: g("notes")}
}

// checkOrgs refuses a branch outside the user's write scope and a group
// that is not one of the branch's.
func checkOrgs(opts []OrgOption, v Values, errs map[string]string) {
	okBranch := slices.ContainsFunc(opts, func(o OrgOption) bool { return o.Kind == "branch" && o.ID == v.BranchID })
	if !okBranch {
		if _, ok := errs["branch_id"]; !ok {
			errs["branch_id"] = "form.invalid"
		}
	}
	if v.GroupID != nil && !slices.ContainsFunc(opts, func(o OrgOption) bool {
		return o.Kind == "group" && o.ID == *v.GroupID && o.ParentID != nil && *o.ParentID == v.BranchID
	}) {
		errs["group_id"] = "member.group.not_in_branch"
	}
}

// NewForm shows the empty member form.
func (h *Handler) NewForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	opts, err := h.store.OrgOptions(ctx, auth.ScopeOf(ctx).WriteRoots())
	if err != nil {
		return err
	}
	if len(opts) == 0 {
		return fmt.Errorf("member: no branch to write: %w", apperr.ErrForbidden)
	}
	// Required choices start empty ("请选择"), except a branch that is the
	// only one the user may write: that is no choice at all.
	f := Form{}
	var branches []int64
	for _, o := range opts {
		if o.Kind == "branch" {
			branches = append(branches, o.ID)
		}
	}
	if len(branches) == 1 {
		f.BranchID = strconv.FormatInt(branches[0], 10)
	}
	return ui.Render(w, r, http.StatusOK, FormView(FormPage{New: true, Form: f, Orgs: opts}))
}

// Create adds a member from the form.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	if !s.Writes() {
		return fmt.Errorf("member: create: %w", apperr.ErrForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("member: create form: %w", apperr.ErrInvalid)
	}
	opts, err := h.store.OrgOptions(ctx, s.WriteRoots())
	if err != nil {
		return err
	}
	f := formFrom(r)
	arrival := Arrival{From: trimmed(r.PostForm.Get("arrival_from")), LetterNo: trimmed(r.PostForm.Get("arrival_letter"))}
	v, errs := f.Validate(true, h.today())
	checkOrgs(opts, v, errs)
	if arrival.From != "" && arrival.LetterNo == "" {
		errs["arrival_letter"] = "form.required"
	}
	if len([]rune(arrival.From)) > 200 {
		errs["arrival_from"] = "form.too_long"
	}
	if len([]rune(arrival.LetterNo)) > 50 {
		errs["arrival_letter"] = "form.too_long"
	}
	if _, bad := errs["id_number"]; !bad && v.IDNumber != "" {
		taken, err := h.store.IDNumberTaken(ctx, v.IDNumber, 0)
		if err != nil {
			return err
		}
		if taken {
			errs["id_number"] = "member.id_number.duplicate"
		}
	}
	page := FormPage{New: true, Form: f, Orgs: opts, Errors: errs, ArrivalFrom: arrival.From, ArrivalLetter: arrival.LetterNo}
	if len(errs) > 0 {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	}
	id, err := h.store.Create(ctx, v, arrival, h.today())
	if errors.Is(err, ErrDuplicateID) {
		page.Errors.Set("id_number", "member.id_number.duplicate")
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/members/"+strconv.FormatInt(id, 10), "member.created")
}

func trimmed(s string) string {
	f := Form{Name: s}
	f.normalise()
	return f.Name
}

// EditForm shows the form of a stored member.
func (h *Handler) EditForm(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWritable(r)
	if err != nil {
		return err
	}
	opts, err := h.store.OrgOptions(r.Context(), auth.ScopeOf(r.Context()).WriteRoots())
	if err != nil {
		return err
	}
	id, phone := h.store.Masked(m.IDNumberEnc, m.PhoneEnc)
	return ui.Render(w, r, http.StatusOK, FormView(FormPage{ID: m.ID, Form: FormOf(m), Orgs: opts, MaskedID: id, MaskedPhone: phone}))
}

// Update saves the edited member; a save over someone else's newer save is
// a 409 page with what the user typed and the values saved meanwhile.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	m, err := h.loadWritable(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("member: update form: %w", apperr.ErrInvalid)
	}
	opts, err := h.store.OrgOptions(ctx, auth.ScopeOf(ctx).WriteRoots())
	if err != nil {
		return err
	}
	f := formFrom(r)
	v, errs := f.Validate(false, h.today())
	checkOrgs(opts, v, errs)
	if _, bad := errs["id_number"]; !bad && v.IDNumber != "" {
		taken, err := h.store.IDNumberTaken(ctx, v.IDNumber, m.ID)
		if err != nil {
			return err
		}
		if taken {
			errs["id_number"] = "member.id_number.duplicate"
		}
	}
	if _, bad := errs["birth_date"]; !bad && v.IDNumber == "" && m.IDNumberEnc != nil {
		// The stored ID number must still match a changed birth date.
		stored, _, err := h.store.Open(m)
		if err != nil {
			return err
		}
		if birth, p := pii.CheckIDNumber(stored); p == "" && !birth.Equal(v.BirthDate) {
			errs["birth_date"] = pii.IDBirthDiffer
		}
	}
	maskedID, maskedPhone := h.store.Masked(m.IDNumberEnc, m.PhoneEnc)
	page := FormPage{ID: m.ID, Form: f, Orgs: opts, Errors: errs, MaskedID: maskedID, MaskedPhone: maskedPhone}
	if len(errs) > 0 {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	}
	err = h.store.Update(ctx, m.ID, f.Version, v)
	switch {
	case errors.Is(err, apperr.ErrConflict):
		saved, gerr := h.store.Get(ctx, m.ID)
		if gerr != nil {
			return gerr
		}
		page.Conflict = savedFacts(saved)
		page.Form.Version = saved.Version
		return ui.Render(w, r, http.StatusConflict, FormView(page))
	case errors.Is(err, ErrDuplicateID):
		page.Errors.Set("id_number", "member.id_number.duplicate")
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	case err != nil:
		return err
	}
	return ui.Redirect(w, r, "/members/"+strconv.FormatInt(m.ID, 10), "member.saved")
}

// Fact is one labelled value shown on a page.
type Fact struct {
	Label string // translation key
	Value string
	Key   bool // Value is a translation key
}

// savedFacts lists a stored member's values for the conflict page.
func savedFacts(m *Member) []Fact {
	f := FormOf(m)
	return []Fact{
		{"member.field.name", f.Name, false},
		{"member.field.gender", "member.gender." + f.Gender, true},
		{"member.field.ethnicity", f.Ethnicity, false},
		{"member.field.birth_date", f.BirthDate, false},
		{"member.field.native_place", f.NativePlace, false},
		{"member.field.department", f.Department, false},
		{"member.field.job_title", f.JobTitle, false},
		{"member.field.category", "member.category." + f.Category, true},
		{"member.field.applied_on", f.AppliedOn, false},
		{"member.field.activist_on", f.ActivistOn, false},
		{"member.field.target_on", f.TargetOn, false},
		{"member.field.admitted_on", f.AdmittedOn, false},
		{"member.field.converted_on", f.ConvertedOn, false},
		{"member.field.notes", f.Notes, false},
	}
}

// loadAction returns the member the user may change and the lifecycle
// action named in the URL.
func (h *Handler) loadAction(r *http.Request) (*Member, string, error) {
	m, err := h.loadWritable(r)
	if err != nil {
		return nil, "", err
	}
	kind := chi.URLParam(r, "action")
	if !slices.Contains(Actions, kind) {
		return nil, "", fmt.Errorf("member: action %q: %w", kind, apperr.ErrNotFound)
	}
	return m, kind, nil
}

// ActionFormPage shows a lifecycle action's form.
func (h *Handler) ActionFormPage(w http.ResponseWriter, r *http.Request) error {
	m, kind, err := h.loadAction(r)
	if err != nil {
		return err
	}
	p, err := h.actionPage(r, m, kind, ActionForm{Version: m.Version, Date: h.today().Format(dateLayout)}, nil)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ActionView(p))
}

func (h *Handler) actionPage(r *http.Request, m *Member, kind string, f ActionForm, errs ui.Errors) (ActionPage, error) {
	p := ActionPage{M: m, Kind: kind, Form: f, Errors: errs}
	if kind == "move" {
		targets, err := h.store.MoveTargets(r.Context(), m.BranchID)
		if err != nil {
			return p, err
		}
		p.Targets = targets
	}
	if due := m.ConversionDue(); due != nil {
		p.Due = due
	}
	return p, nil
}

// Act records a lifecycle action.
func (h *Handler) Act(w http.ResponseWriter, r *http.Request) error {
	m, kind, err := h.loadAction(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("member: action form: %w", apperr.ErrInvalid)
	}
	g := r.PostForm.Get
	version, _ := strconv.Atoi(g("version"))
	f := ActionForm{Version: version, Date: g("date"), Until: g("until"), Place: g("place"), LetterNo: g("letter_no"),
		ToBranch: g("to_branch"), Status: g("status"), Details: g("details")}
	a, errs := f.Validate(kind, h.today())
	if len(errs) == 0 {
		err = h.store.Apply(r.Context(), m.ID, version, a)
		var ae *ActionError
		switch {
		case errors.As(err, &ae):
			errs[ae.Field] = ae.Key
		case errors.Is(err, apperr.ErrConflict):
			fresh, gerr := h.store.Get(r.Context(), m.ID)
			if gerr != nil {
				return gerr
			}
			p, perr := h.actionPage(r, fresh, kind, f, nil)
			if perr != nil {
				return perr
			}
			p.Conflict = true
			p.Form.Version = fresh.Version
			return ui.Render(w, r, http.StatusConflict, ActionView(p))
		case err != nil:
			return err
		default:
			to := "/members/" + strconv.FormatInt(m.ID, 10)
			if kind == "move" {
				moved, gerr := h.store.Get(r.Context(), m.ID)
				if gerr != nil {
					return gerr
				}
				if !auth.ScopeOf(r.Context()).CanRead(moved.BranchPath) {
					to = "/members" // moved out of the user's scope
				}
			}
			return ui.Redirect(w, r, to, "member.action.done")
		}
	}
	p, err := h.actionPage(r, m, kind, f, errs)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusUnprocessableEntity, ActionView(p))
}

// ImportForm shows the upload form.
func (h *Handler) ImportForm(w http.ResponseWriter, r *http.Request) error {
	opts, err := h.store.OrgOptions(r.Context(), auth.ScopeOf(r.Context()).WriteRoots())
	if err != nil {
		return err
	}
	if len(opts) == 0 {
		return fmt.Errorf("member: no branch to import into: %w", apperr.ErrForbidden)
	}
	return ui.Render(w, r, http.StatusOK, ImportView(ImportPage{Orgs: opts}))
}

// Preview reads an uploaded roster, checks every row and shows them all
// with their errors; a clean file is kept for the confirmation step.
func (h *Handler) Preview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := auth.UserOf(ctx)
	s := auth.ScopeOf(ctx)
	if !s.Writes() {
		return fmt.Errorf("member: import: %w", apperr.ErrForbidden)
	}
	opts, err := h.store.OrgOptions(ctx, s.WriteRoots())
	if err != nil {
		return err
	}
	p := ImportPage{Orgs: opts}
	if err := r.ParseMultipartForm(MaxImportBytes); err != nil {
		p.Errors.Set("file", "member.import.too_big")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	p.BranchID = r.PostFormValue("branch_id")
	branchID, _ := strconv.ParseInt(p.BranchID, 10, 64)
	if !slices.ContainsFunc(opts, func(o OrgOption) bool { return o.Kind == "branch" && o.ID == branchID }) {
		p.Errors.Set("branch_id", "form.required")
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		p.Errors.Set("file", "form.required")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	defer func() { _ = file.Close() }()
	data, err := io.ReadAll(io.LimitReader(file, MaxImportBytes+1))
	if err != nil {
		return fmt.Errorf("member: read upload: %w", err)
	}
	roster, err := ParseRoster(data)
	var fe *FileError
	if errors.As(err, &fe) {
		p.Errors.Set("file", fe.Key)
		p.FileArg = fe.Arg
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	if err != nil {
		return err
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	rows, bad, err := h.store.CheckRoster(ctx, branchID, roster, h.today())
	if err != nil {
		return err
	}
	p.Rows, p.Bad, p.Unknown, p.Filename = rows, bad, roster.Unknown, hdr.Filename
	if bad > 0 {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	p.ImportID, err = h.store.SaveImport(ctx, branchID, u.AccountID, hdr.Filename, data, len(rows))
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ImportView(p))
}

// Confirm writes a previewed roster: every row in one transaction, or none.
func (h *Handler) Confirm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := auth.UserOf(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	im, err := h.store.GetImport(ctx, id)
	if err != nil {
		return err
	}
	if im.AccountID != u.AccountID {
		return fmt.Errorf("member: import %d of another account: %w", id, apperr.ErrNotFound)
	}
	if err := auth.CheckWrite(ctx, h.pool, im.BranchID); err != nil {
		return err
	}
	if im.UsedAt != nil {
		return fmt.Errorf("member: import %d written: %w", id, apperr.ErrConflict)
	}
	roster, err := ParseRoster(im.Data)
	if err != nil {
		return err
	}
	opts, err := h.store.OrgOptions(ctx, auth.ScopeOf(ctx).WriteRoots())
	if err != nil {
		return err
	}
	rows, bad, err := h.store.CheckRoster(ctx, im.BranchID, roster, h.today())
	if err != nil {
		return err
	}
	p := ImportPage{Orgs: opts, Rows: rows, Bad: bad, Filename: im.Filename, BranchID: strconv.FormatInt(im.BranchID, 10)}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("member: confirm form: %w", apperr.ErrInvalid)
	}
	if bad == 0 && r.PostForm.Get("confirm") != "1" {
		p.ImportID = im.ID
		p.Errors.Set("confirm", "form.confirm_required")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	if bad == 0 {
		err = h.store.WriteImport(ctx, im, rows, h.today())
		switch {
		case errors.Is(err, ErrImportUsed):
			return fmt.Errorf("member: import %d: %w", id, apperr.ErrConflict)
		case errors.Is(err, ErrDuplicateID):
			p.Errors.Set("file", "member.id_number.duplicate")
		case err != nil:
			return err
		default:
			return ui.Redirect(w, r, "/members?org="+strconv.FormatInt(im.BranchID, 10), "member.import.done")
		}
	}
	return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
}
