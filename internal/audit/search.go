package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/export"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Retention: audit rows are kept at least RetentionDays. The table's
// trigger refuses UPDATE, DELETE and TRUNCATE for every role the
// application uses, so nothing is ever pruned by Zhibu itself; removing
// rows older than the retention period is a maintenance procedure run by a
// database superuser (see docs/security.md).
const RetentionDays = 180

// PageSize is the number of audit rows a page shows.
const PageSize = 50

// maxExportRows caps one CSV export.
const maxExportRows = 100000

// Filter selects audit rows.
type Filter struct {
	From, To time.Time // To is exclusive; zero means open
	Actor    string    // username prefix
	Action   string    // action prefix, e.g. "login" or "role."
	Entity   string
	EntityID int64
	Kind     string // "" all, KindSignIns or KindChanges
	Oldest   bool   // oldest first; newest first by default
}

// Kinds of event the search separates: sign-ins and sign-outs flood the
// trail, so they can be shown alone or left out.
const (
	KindSignIns = "signins"
	KindChanges = "changes"
)

// FilterForm is the search form as typed, with its messages.
type FilterForm struct {
	From, To, Actor, Action, Entity, EntityID, Kind string
	Errors                                          ui.Errors
}

// Query is the form's values as a query string, for paging and export.
func (f FilterForm) Query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"from": f.From, "to": f.To, "actor": f.Actor, "action": f.Action, "entity": f.Entity, "entity_id": f.EntityID, "kind": f.Kind} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// ParseFilter reads the search form: dates as YYYY-MM-DD in China time
// (the "to" day included), short texts, an optional numeric record id.
func ParseFilter(v url.Values) (Filter, FilterForm) {
	f := FilterForm{From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")), Actor: strings.TrimSpace(v.Get("actor")),
		Action: strings.TrimSpace(v.Get("action")), Entity: strings.TrimSpace(v.Get("entity")), EntityID: strings.TrimSpace(v.Get("entity_id")), Kind: v.Get("kind")}
	var flt Filter
	date := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, i18n.Shanghai)
		if err != nil || t.Year() < 2000 || t.Year() > 2999 {
			f.Errors.Add(field, "audit.date_invalid")
			return time.Time{}
		}
		return t
	}
	flt.From = date("from", f.From)
	if to := date("to", f.To); !to.IsZero() {
		flt.To = to.AddDate(0, 0, 1)
	}
	if !flt.From.IsZero() && !flt.To.IsZero() && !flt.To.After(flt.From) {
		f.Errors.Add("to", "audit.range_invalid")
	}
	text := func(field, s string) string {
		if len(s) > 64 {
			f.Errors.Add(field, "audit.text_too_long")
			return ""
		}
		return s
	}
	flt.Actor = strings.ToLower(text("actor", f.Actor))
	flt.Action = text("action", f.Action)
	flt.Entity = text("entity", f.Entity)
	switch f.Kind {
	case "", KindSignIns, KindChanges:
		flt.Kind = f.Kind
	default:
		f.Errors.Add("kind", "audit.kind_invalid")
	}
	if f.EntityID != "" {
		n, err := strconv.ParseInt(f.EntityID, 10, 64)
		if err != nil || n <= 0 {
			f.Errors.Add("entity_id", "audit.id_invalid")
		}
		flt.EntityID = n
	}
	return flt, f
}

// Row is one audit event as the audit administrator reads it.
type Row struct {
	ID       int64
	At       time.Time
	ActorID  int64
	Actor    string
	Role     string
	IP       string
	Action   string
	Entity   string
	EntityID int64
	Name     string // the record's name today (a person, a branch, a meeting's topic), when known
	Before   string
	After    string
	Outcome  string
}

const searchSQL = `
SELECT id, at, coalesce(actor_id, 0), actor, role, ip, action, entity, coalesce(entity_id, 0),
       coalesce(CASE entity
           WHEN 'account' THEN (SELECT coalesce(nullif(display_name, ''), username) FROM accounts WHERE id = entity_id)
           WHEN 'member' THEN (SELECT name FROM members WHERE id = entity_id)
           WHEN 'organisation' THEN (SELECT name FROM organisations WHERE id = entity_id)
           WHEN 'meeting' THEN (SELECT topic FROM meetings WHERE id = entity_id)
       END, ''),
       coalesce(before::text, ''), coalesce(after::text, ''), outcome, count(*) OVER ()
  FROM audit_events
 WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
   AND lower(actor) LIKE $3 AND action LIKE $4 AND ($5 = '' OR entity = $5) AND ($6 = 0 OR entity_id = $6)
   AND ($7 = '' OR ($7 = 'signins') = (action IN ('login', 'logout') OR action LIKE 'login.%'))
 ORDER BY `

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// SearchRows returns a page of audit rows matching f, newest first (oldest
// first when f.Oldest), and the total.
func SearchRows(ctx context.Context, q db.Querier, f Filter, limit, offset int) ([]Row, int, error) {
	order := "at DESC, id DESC"
	if f.Oldest {
		order = "at ASC, id ASC"
	}
	rows, err := q.Query(ctx, searchSQL+order+" LIMIT $8 OFFSET $9", nullTime(f.From), nullTime(f.To), db.Prefix(f.Actor), db.Prefix(f.Action), f.Entity, f.EntityID, f.Kind, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: search: %w", err)
	}
	total := 0
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Row, error) {
		var x Row
		err := r.Scan(&x.ID, &x.At, &x.ActorID, &x.Actor, &x.Role, &x.IP, &x.Action, &x.Entity, &x.EntityID, &x.Name, &x.Before, &x.After, &x.Outcome, &total)
		return x, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("audit: search: %w", err)
	}
	return list, total, nil
}

// Handler serves the audit administrator's pages.
type Handler struct {
	pool *pgxpool.Pool
}

// NewHandler returns the audit trail's pages.
func NewHandler(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool} }

// Page is the audit search page's view model.
type Page struct {
	Form  FilterForm
	Rows  []Row
	Pager ui.Pager
}

// Search shows the audit trail, filtered, 50 rows a page.
func (h *Handler) Search(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	flt, form := ParseFilter(q)
	p := Page{Form: form}
	status := http.StatusOK
	if form.Errors.Any() {
		status = http.StatusUnprocessableEntity
	} else {
		page := ui.PageParam(q)
		flt.Oldest = q.Get("sort") == "time" && q.Get("dir") != "desc"
		rows, total, err := SearchRows(r.Context(), h.pool, flt, PageSize, (page-1)*PageSize)
		if err != nil {
			return err
		}
		p.Rows = rows
		query := form.Query()
		query.Set("sort", "time")
		if !flt.Oldest {
			query.Set("dir", "desc")
		}
		p.Pager = ui.Pager{Page: page, PageSize: PageSize, Total: total, Query: query, Path: "/audit"}
	}
	return ui.Render(w, r, status, SearchView(p))
}

// Export writes the filtered audit trail as CSV (UTF-8 with a byte-order
// mark, for spreadsheet programs). The export itself is audited.
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	flt, form := ParseFilter(r.URL.Query())
	if form.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, SearchView(Page{Form: form}))
	}
	rows, total, err := SearchRows(ctx, h.pool, flt, maxExportRows, 0)
	if err != nil {
		return err
	}
	if err := Record(ctx, h.pool, Event{Action: "audit.exported", Entity: "audit_events", After: map[string]any{"filter": form.Query().Encode(), "rows": len(rows), "total": total}}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+time.Now().In(i18n.Shanghai).Format("20060102-150405")+`.csv"`)
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180, as spreadsheet programs write it
	_ = cw.Write([]string{"id", "time", "actor_id", "actor", "role", "ip", "action", "action_label", "entity", "entity_id", "name", "before", "after", "outcome"})
	for _, x := range rows {
		rec := []string{strconv.FormatInt(x.ID, 10), x.At.In(i18n.Shanghai).Format(time.RFC3339), strconv.FormatInt(x.ActorID, 10), x.Actor, x.Role, x.IP,
			x.Action, ActionLabel(ctx, x.Action), x.Entity, strconv.FormatInt(x.EntityID, 10), x.Name, x.Before, x.After, x.Outcome}
		if err := cw.Write(export.Row(rec)); err != nil {
			return nil // the client went away; headers are already sent
		}
	}
	cw.Flush()
	return nil
}
