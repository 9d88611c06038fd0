package plans

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
	"zhibu/internal/ui"
	"zhibu/internal/upload"
)

// Handler serves /plans.
type Handler struct {
	pool     *pgxpool.Pool
	store    *Store
	meetings *meeting.Store
	now      func() time.Time
}

// New returns the plan handlers.
func New(pool *pgxpool.Pool) *Handler {
	return &Handler{pool: pool, store: NewStore(pool), meetings: meeting.NewStore(pool), now: time.Now}
}

// WithNotifier makes the committee's reminders reach the branch's inbox
// (and mail) as notes of kind sent by send, in the transaction that
// records them.
func (h *Handler) WithNotifier(send BranchSender, kind string) *Handler {
	h.store.WithNotifier(NotifierOf(send, kind))
	return h
}

// today is the current day in China, as a date.
func (h *Handler) today() time.Time {
	n := h.now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (h *Handler) year(r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 2000 || y > 2100 {
		return h.today().Year()
	}
	return y
}

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("plans: id %q: %w", chi.URLParam(r, name), apperr.ErrNotFound)
	}
	return id, nil
}

// ListPage is the year's plan.
type ListPage struct {
	Year      int
	Today     time.Time
	Tasks     []Task
	Committee bool // the viewer reviews: publish, matrix
	Branch    bool // the viewer keeps a branch: its own items
	ReadOnly  bool // a member without a role: their branch's plan, read only
	Mine      map[int64]Answer
	Pager     ui.Pager
}

// ListPageSize is the number of tasks on a page of /plans.
const ListPageSize = 30

// readRoots are the organisations whose plan the user reads: their read
// scope, or for a member without a role their own branch (read only).
func (h *Handler) readRoots(ctx context.Context) (roots []int64, readOnly bool, err error) {
	if roots := auth.ScopeOf(ctx).ReadRoots(); len(roots) > 0 {
		return roots, false, nil
	}
	u := auth.UserOf(ctx)
	if u == nil || u.MemberID == 0 {
		return nil, false, fmt.Errorf("plans: no plan to read: %w", apperr.ErrForbidden)
	}
	b, err := MemberBranch(ctx, h.pool, u.MemberID)
	if err != nil {
		return nil, false, err
	}
	if b == 0 {
		return nil, false, fmt.Errorf("plans: member %d has no branch: %w", u.MemberID, apperr.ErrForbidden)
	}
	return []int64{b}, true, nil
}

// List shows the year's tasks: a committee sees each task's progress, a
// branch its own state of each.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	year := h.year(r)
	roots, readOnly, err := h.readRoots(ctx)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Set("year", strconv.Itoa(year))
	pager := ui.Pager{Page: ui.PageParam(q), PageSize: ListPageSize, Query: q, Path: "/plans"}
	tasks, total, err := TasksPage(ctx, h.pool, roots, year, pager.PageSize, pager.Offset())
	if err != nil {
		return err
	}
	pager.Total = total
	p := ListPage{Year: year, Today: h.today(), Tasks: tasks, Committee: s.Committee() != 0, Branch: s.Writes(), ReadOnly: readOnly,
		Mine: map[int64]Answer{}, Pager: pager}
	if s.Committee() == 0 {
		answers, err := YearAnswers(ctx, h.pool, roots, year)
		if err != nil {
			return err
		}
		for _, a := range answers {
			p.Mine[a.TaskID] = a
		}
	}
	return ui.Render(w, r, http.StatusOK, ListView(p))
}

// MatrixPage is the committee's completion matrix: branches by tasks.
type MatrixPage struct {
	Year   int
	Today  time.Time
	Tasks  []Task
	Orgs   []Org
	Cells  map[int64]map[int64]Answer // org → task → answer
	Late   int
	Status string
}

// Matrix shows every branch's state of every committee task of the year.
func (h *Handler) Matrix(w http.ResponseWriter, r *http.Request) error {
	p, err := h.matrix(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, MatrixView(p))
}

func (h *Handler) matrix(r *http.Request) (MatrixPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	root := s.Committee()
	if root == 0 {
		return MatrixPage{}, fmt.Errorf("plans: matrix by a non-reviewer: %w", apperr.ErrForbidden)
	}
	year := h.year(r)
	p := MatrixPage{Year: year, Today: h.today(), Cells: map[int64]map[int64]Answer{}}
	tasks, err := Tasks(ctx, h.pool, []int64{root}, year)
	if err != nil {
		return p, err
	}
	for _, t := range tasks {
		if !t.Own() {
			p.Tasks = append(p.Tasks, t)
		}
	}
	answers, err := YearAnswers(ctx, h.pool, []int64{root}, year)
	if err != nil {
		return p, err
	}
	seen := map[int64]bool{}
	for _, a := range answers {
		if a.Own {
			continue
		}
		if !seen[a.OrgID] {
			seen[a.OrgID] = true
			p.Orgs = append(p.Orgs, Org{ID: a.OrgID, Name: a.OrgName, Path: a.OrgPath})
			p.Cells[a.OrgID] = map[int64]Answer{}
		}
		p.Cells[a.OrgID][a.TaskID] = a
		if IsOverdue(a.State, a.DueOn, p.Today) {
			p.Late++
		}
	}
	return p, nil
}

// Remind records a reminder to each ticked late answer.
func (h *Handler) Remind(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	root := auth.ScopeOf(ctx).Committee()
	if root == 0 {
		return fmt.Errorf("plans: remind by a non-reviewer: %w", apperr.ErrForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("plans: remind form: %w", apperr.ErrInvalid)
	}
	var ids []int64
	for _, v := range r.PostForm["answer"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("plans: remind %q: %w", v, apperr.ErrInvalid)
		}
		a, err := LoadAnswer(ctx, h.pool, id)
		if err != nil {
			return err
		}
		if !auth.ScopeOf(ctx).CanWriteCommittee(a.OrgPath) {
			return fmt.Errorf("plans: remind %d: %w", id, apperr.ErrNotFound)
		}
		ids = append(ids, id)
	}
	back := "/plans/matrix?year=" + strconv.Itoa(h.year(r))
	if y := r.PostFormValue("year"); y != "" {
		back = "/plans/matrix?year=" + yearDigits(y)
	}
	if len(ids) == 0 {
		return ui.RedirectRefused(w, r, back, "plans.error.none_checked")
	}
	if err := h.store.Remind(ctx, ids, h.today(), auth.UserOf(ctx).AccountID); err != nil {
		if errors.Is(err, ErrNotLate) {
			return ui.RedirectRefused(w, r, back, "plans.error.not_late")
		}
		return err
	}
	return ui.Redirect(w, r, back, "plans.flash.reminded")
}

// yearDigits keeps a year posted back only when it is a number.
func yearDigits(y string) string {
	n, err := strconv.Atoi(y)
	if err != nil {
		return ""
	}
	return strconv.Itoa(n)
}

// issuer is who publishes: the reviewer's committee, else the user's
// branch (its own items).
func issuer(s auth.Scope) (int64, bool, error) {
	if c := s.Committee(); c != 0 {
		return c, false, nil
	}
	if w := s.WriteRoots(); len(w) > 0 {
		return w[0], true, nil
	}
	return 0, false, fmt.Errorf("plans: nothing to publish for: %w", apperr.ErrForbidden)
}

func (h *Handler) taskForm(r *http.Request, f *TaskForm, org int64, year int) error {
	ctx := r.Context()
	if !f.Own {
		orgs, err := Orgs(ctx, h.pool, org)
		f.Orgs = orgs
		return err
	}
	tasks, err := Tasks(ctx, h.pool, []int64{org}, year)
	for _, t := range tasks {
		if !t.Own() {
			f.Parents = append(f.Parents, t)
		}
	}
	return err
}

// NewPage shows the form that publishes a task (committee) or adds the
// branch's own item.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	org, own, err := issuer(auth.ScopeOf(r.Context()))
	if err != nil {
		return err
	}
	year := h.year(r)
	f := TaskForm{Own: own, Year: strconv.Itoa(year), Target: "all", ParentID: r.URL.Query().Get("parent")}
	if err := h.taskForm(r, &f, org, year); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// Create publishes the task.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org, own, err := issuer(auth.ScopeOf(ctx))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("plans: task form: %w", apperr.ErrInvalid)
	}
	f := ParseTask(r.PostForm, own)
	year, _ := strconv.Atoi(f.Year)
	if err := h.taskForm(r, &f, org, year); err != nil {
		return err
	}
	in := f.Validate(org)
	in.AccountID = auth.UserOf(ctx).AccountID
	if !f.Errors.Any() {
		_, err = h.store.Publish(ctx, in)
		if errors.Is(err, ErrNoTargets) {
			f.Errors.Add("target", "plans.error.no_targets")
		} else if err != nil {
			return err
		}
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	return ui.Redirect(w, r, "/plans?year="+strconv.Itoa(in.Year), "plans.flash.published")
}

// TaskPage is one task with its answers.
type TaskPage struct {
	Task      Task
	Answers   []Answer
	Today     time.Time
	Committee bool
	ReadOnly  bool // a member reading their branch's plan: no links to answer pages
}

// Show shows a task and the answers the viewer may read.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	roots, readOnly, err := h.readRoots(ctx)
	if err != nil {
		return err
	}
	t, err := LoadTask(ctx, h.pool, id, roots)
	if err != nil {
		return err
	}
	if t.Total == 0 && (readOnly || !s.CanRead(t.OrgPath)) {
		return fmt.Errorf("plans: task %d: %w", id, apperr.ErrNotFound)
	}
	answers, err := Answers(ctx, h.pool, id, roots)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, TaskView(TaskPage{Task: t, Answers: answers, Today: h.today(), ReadOnly: readOnly,
		Committee: !readOnly && s.CanWriteCommittee(t.OrgPath) && !t.Own()}))
}

// AnswerPage is one branch's answer: the branch answers, the committee
// reviews.
type AnswerPage struct {
	A         Answer
	Today     time.Time
	CanAnswer bool
	CanReview bool
	CanRemind bool
	Form      AnswerForm
	Files     []AnswerFile
	Comment   string
	Errors    ui.Errors
}

func (h *Handler) answerPage(r *http.Request) (AnswerPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		return AnswerPage{}, err
	}
	a, err := LoadAnswer(ctx, h.pool, id)
	if err != nil {
		return AnswerPage{}, err
	}
	if err := s.CheckRead(a.OrgPath); err != nil {
		return AnswerPage{}, err
	}
	today := h.today()
	p := AnswerPage{A: a, Today: today, Form: AnswerForm{Version: strconv.Itoa(a.Version), Note: a.Note, Link: a.Link}}
	if a.MeetingID != nil {
		p.Form.MeetingID = strconv.FormatInt(*a.MeetingID, 10)
	}
	if p.Files, err = AnswerFiles(ctx, h.pool, a.ID); err != nil {
		return p, err
	}
	p.CanAnswer = s.CanWrite(a.OrgPath) && (a.State == Open || a.State == Returned)
	committee := s.CanWriteCommittee(a.OrgPath) && !a.Own && !s.CanWrite(a.OrgPath)
	p.CanReview = committee && a.State == Answered
	p.CanRemind = committee && IsOverdue(a.State, a.DueOn, today)
	if p.CanAnswer {
		kind := ""
		if a.MeetingKind != nil {
			kind = *a.MeetingKind
		}
		items, err := h.meetings.List(ctx, meeting.ListFilter{Roots: []int64{a.OrgID}, Kind: kind, Year: a.TaskYear, Limit: 100, Desc: true})
		if err != nil {
			return p, err
		}
		for _, m := range items {
			if m.Status != "planned" {
				p.Form.Meetings = append(p.Form.Meetings, m)
			}
		}
	}
	return p, nil
}

// ShowAnswer shows one branch's answer to a task.
func (h *Handler) ShowAnswer(w http.ResponseWriter, r *http.Request) error {
	p, err := h.answerPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, AnswerView(p))
}

// Respond records the branch's answer.
func (h *Handler) Respond(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.answerPage(r)
	if err != nil {
		return err
	}
	if err := auth.ScopeOf(ctx).CheckWrite(p.A.OrgPath); err != nil {
		return err
	}
	if !p.CanAnswer {
		return fmt.Errorf("plans: answer %d in state %s: %w", p.A.ID, p.A.State, apperr.ErrConflict)
	}
	// The answer's form is multipart (its evidence files); the route's
	// body limit is upload.MaxBody.
	defer upload.Cleanup(r)
	files, ferr := upload.ReadAll(r, "file", upload.Documents, MaxAnswerFiles)
	if ferr != nil && !upload.Refused(ferr) {
		return ferr
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("plans: answer form: %w", apperr.ErrInvalid)
	}
	f := ParseAnswer(r.PostForm)
	f.Meetings = p.Form.Meetings
	f.HasFile = ferr == nil
	in, version := f.Validate(p.A)
	status := http.StatusUnprocessableEntity
	if ferr != nil && !errors.Is(ferr, upload.ErrMissing) {
		f.Errors.Add("file", upload.Key(ferr))
		status = upload.Status(ferr)
	}
	if f.Errors.Any() {
		p.Form = f
		return ui.Render(w, r, status, AnswerView(p))
	}
	in.Files = files
	in.On, in.AccountID = h.today(), auth.UserOf(ctx).AccountID
	if err := h.store.Respond(ctx, p.A.ID, version, in); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/plans/answers/%d", p.A.ID), "plans.flash.answered")
}

// AnswerFile sends a file of an answer, as a download, to whoever may
// read the answer: the branch and the committees above it (404 outside).
func (h *Handler) AnswerFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	fid, err := idParam(r, "fid")
	if err != nil {
		return err
	}
	a, err := LoadAnswer(ctx, h.pool, id)
	if err != nil {
		return err
	}
	if err := auth.ScopeOf(ctx).CheckRead(a.OrgPath); err != nil {
		return err
	}
	f, data, err := LoadAnswerFile(ctx, h.pool, a.ID, fid)
	if err != nil {
		return err
	}
	return upload.Serve(w, f.Filename, f.ContentType, data, false)
}

// ReviewAnswer accepts or returns an answer with the committee's comment.
func (h *Handler) ReviewAnswer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.answerPage(r)
	if err != nil {
		return err
	}
	if !auth.ScopeOf(ctx).CanWriteCommittee(p.A.OrgPath) || p.A.Own {
		return fmt.Errorf("plans: review %d: %w", p.A.ID, apperr.ErrForbidden)
	}
	if !p.CanReview {
		return fmt.Errorf("plans: review %d in state %s: %w", p.A.ID, p.A.State, apperr.ErrConflict)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("plans: review form: %w", apperr.ErrInvalid)
	}
	decision := r.PostFormValue("decision")
	p.Comment = strings.TrimSpace(r.PostFormValue("comment"))
	version, verr := strconv.Atoi(r.PostFormValue("version"))
	switch {
	case decision != "accept" && decision != "return":
		p.Errors.Add("decision", "plans.error.decision")
	case decision == "return" && p.Comment == "":
		p.Errors.Add("comment", "plans.error.comment")
	case utf8.RuneCountInString(p.Comment) > 2000:
		p.Errors.Add("comment", "plans.error.too_long")
	case verr != nil:
		p.Errors.Add("comment", "plans.error.version")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, AnswerView(p))
	}
	if err := h.store.Review(ctx, p.A.ID, version, decision == "accept", p.Comment, h.today(), auth.UserOf(ctx).AccountID); err != nil {
		return err
	}
	flash := "plans.flash.returned"
	if decision == "accept" {
		flash = "plans.flash.accepted"
	}
	return ui.Redirect(w, r, fmt.Sprintf("/plans/%d", p.A.TaskID), flash)
}
