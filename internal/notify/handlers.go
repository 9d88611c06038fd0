package notify

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// Badge is middleware that puts the unread count on the navigation's
// inbox link of every page a signed-in person fetches. A failure only
// leaves the badge off.
func (s *Service) Badge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := ui.ViewerOf(r.Context())
		u := auth.UserOf(r.Context())
		if v != nil && u != nil && r.Method == http.MethodGet {
			for i := range v.Nav {
				if v.Nav[i].Href == "/inbox" {
					if n, err := s.UnreadCached(r.Context(), u.AccountID); err == nil {
						v.Nav[i].Badge = n
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// InboxPage is the inbox's view model.
type InboxPage struct {
	Items  []Item
	Pager  ui.Pager
	Unread int
	Prefs  PrefsForm
	MailOn bool
}

// PrefsForm is the mail preferences form as typed.
type PrefsForm struct {
	Prefs
	Errors ui.Errors
}

func (s *Service) inboxPage(r *http.Request, f *PrefsForm) (InboxPage, error) {
	ctx := r.Context()
	u := auth.UserOf(ctx)
	q := r.URL.Query()
	p := InboxPage{Pager: ui.Pager{Page: ui.PageParam(q), PageSize: InboxPageSize, Query: q, Path: "/inbox"}, MailOn: s.mail.On()}
	var err error
	if p.Items, p.Pager.Total, err = s.Inbox(ctx, u.AccountID, p.Pager.Offset()); err != nil {
		return p, err
	}
	if p.Unread, err = s.Unread(ctx, u.AccountID); err != nil {
		return p, err
	}
	if f != nil {
		p.Prefs = *f
	} else {
		prefs, err := s.Prefs(ctx, u.AccountID)
		if err != nil {
			return p, err
		}
		p.Prefs = PrefsForm{Prefs: prefs}
	}
	return p, nil
}

// Inbox shows the signed-in person's notifications and mail preferences.
func (s *Service) InboxHandler(w http.ResponseWriter, r *http.Request) error {
	p, err := s.inboxPage(r, nil)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, InboxView(p))
}

// Open marks a notification read and goes to its link.
func (s *Service) Open(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("notify: bad id: %w", apperr.ErrNotFound)
	}
	url, err := s.MarkRead(r.Context(), auth.UserOf(r.Context()).AccountID, id)
	if err != nil {
		return err
	}
	if url == "" {
		url = "/inbox"
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
	return nil
}

// ReadAll marks every notification read.
func (s *Service) ReadAll(w http.ResponseWriter, r *http.Request) error {
	if err := s.MarkAllRead(r.Context(), auth.UserOf(r.Context()).AccountID); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/inbox", "inbox.flash.all_read")
}

// SavePrefsHandler stores the person's mail preferences.
func (s *Service) SavePrefsHandler(w http.ResponseWriter, r *http.Request) error {
	on := func(k string) bool { return r.PostFormValue(k) == "1" }
	f := PrefsForm{Prefs: Prefs{Email: strings.TrimSpace(r.PostFormValue("email")), MeetingNotice: on("meeting_notice"),
		Reminder: on("reminder"), Decision: on("decision"), Overdue: on("overdue"), Digest: on("digest")}}
	if f.Email != "" {
		if !ValidEmail(f.Email) {
			f.Errors.Add("email", "inbox.error.email")
		}
	}
	if f.Errors.Any() {
		p, err := s.inboxPage(r, &f)
		if err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusUnprocessableEntity, InboxView(p))
	}
	if err := s.SavePrefs(r.Context(), auth.UserOf(r.Context()).AccountID, f.Prefs); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/inbox#prefs", "inbox.flash.prefs_saved")
}

// JobsPage is the administrator's view of failed jobs.
type JobsPage struct {
	Jobs   []FailedJob
	MailOn bool
	// ReminderDays is the setting as shown or typed, with its message.
	ReminderDays string
	Errors       ui.Errors
}

// Jobs lists the queue's failed jobs for the system administrator.
func (s *Service) Jobs(w http.ResponseWriter, r *http.Request) error {
	days, err := ReminderDays(r.Context(), s.pool)
	if err != nil {
		return err
	}
	return s.renderJobs(w, r, http.StatusOK, JobsPage{ReminderDays: strconv.Itoa(days)})
}

func (s *Service) renderJobs(w http.ResponseWriter, r *http.Request, status int, p JobsPage) error {
	jobs, err := s.FailedJobs(r.Context())
	if err != nil {
		return err
	}
	p.Jobs, p.MailOn = jobs, s.mail.On()
	return ui.Render(w, r, status, JobsView(p))
}

// SaveReminderDays changes how many days before a meeting its reminder
// goes out (system administrator), within MinReminderDays–MaxReminderDays.
func (s *Service) SaveReminderDays(w http.ResponseWriter, r *http.Request) error {
	p := JobsPage{ReminderDays: strings.TrimSpace(r.PostFormValue("reminder_days"))}
	n, err := strconv.Atoi(p.ReminderDays)
	if err != nil || n < MinReminderDays || n > MaxReminderDays {
		p.Errors.Add("reminder_days", "selfadmin.reminder_days.range")
		return s.renderJobs(w, r, http.StatusUnprocessableEntity, p)
	}
	if err := s.SetReminderDays(r.Context(), n); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/jobs#settings", "selfadmin.reminder_days.saved")
}

// RetryJob puts a failed job back in the queue.
func (s *Service) RetryJob(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("notify: bad job id: %w", apperr.ErrNotFound)
	}
	if err := s.Retry(r.Context(), id); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/jobs", "jobs.flash.retried")
}
