// Package ui holds what every page shares: the layout and navigation, form
// fields, tables and pager, flash messages, static assets, and the adapter
// that turns a handler's error into the right error page.
package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"zhibu/internal/i18n"
)

// NavItem is one entry of the navigation bar.
type NavItem struct {
	Href  string
	Label string // translation key
	Badge int
	// Count, when set, gives the badge when the page is drawn (once), so a
	// form shown again after an error has it too without a query on every
	// post that only redirects.
	Count func() int
	// Pinned items (my record, my alerts) sit at the header's end, beside the
	// name, so they stay on screen on a phone while the other entries scroll.
	Pinned bool
	// Group, a translation key, gathers the entry with the others of its
	// area under one menu of the bar (NavEntries).
	Group string
}

// NavEntry is one place on the navigation bar: a single link, or a menu
// of the links of one area.
type NavEntry struct {
	Item   NavItem   // a single link (when Items is empty)
	Group  string    // the menu's translation key
	Items  []NavItem // the menu's links
	Active bool      // the current page is one of the menu's links
}

// NavEntries lays the unpinned items out on the bar in their order: the
// items of a group gather into one menu where the group's first item
// stands; a group with a single item is a plain link, and so is an item
// without a group.
func NavEntries(items []NavItem, active string) []NavEntry {
	var out []NavEntry
	at := map[string]int{}
	for _, it := range items {
		if it.Pinned {
			continue
		}
		if it.Group == "" {
			out = append(out, NavEntry{Item: it})
			continue
		}
		i, ok := at[it.Group]
		if !ok {
			at[it.Group] = len(out)
			out = append(out, NavEntry{Group: it.Group})
			i = len(out) - 1
		}
		out[i].Items = append(out[i].Items, it)
		if it.Href == active {
			out[i].Active = true
		}
	}
	for i, e := range out {
		if e.Group != "" && len(e.Items) == 1 {
			out[i] = NavEntry{Item: e.Items[0]}
		}
	}
	return out
}

// badgeID names a badge for tests: the inbox's unread count or the alerts.
func badgeID(href string) string {
	if href == "/inbox" {
		return "inbox-count"
	}
	return "alert-count"
}

// BadgeCount is the item's badge: Badge, or Count's answer.
func (n NavItem) BadgeCount() int {
	if n.Count != nil {
		return n.Count()
	}
	return n.Badge
}

// Viewer is what the layout knows about the signed-in person.
type Viewer struct {
	Name   string
	Role   string // translation key of the main role
	Nav    []NavItem
	Demo   bool
	Active string // href of the current section
}

type viewerKey struct{}
type flashKey struct{}

// WithViewer returns a context carrying the signed-in person for the layout.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerOf returns the signed-in person, or nil on public pages.
func ViewerOf(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

const flashCookie = "zhibu_flash"

// SetFlash stores a one-time message (a translation key) shown on the next page.
func SetFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(key), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// Flash is middleware that moves the flash message from its cookie into the
// request context and clears the cookie. Unknown keys are dropped.
func Flash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(flashCookie); err == nil {
			http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
			if key, err := url.QueryUnescape(c.Value); err == nil {
				refused := strings.HasPrefix(key, refusedMark)
				key = strings.TrimPrefix(key, refusedMark)
				if i18n.Has(key) {
					r = r.WithContext(context.WithValue(r.Context(), flashKey{}, flash{key: key, refused: refused}))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// FlashOf returns the flash message key of the request, or "".
func FlashOf(ctx context.Context) string {
	f, _ := ctx.Value(flashKey{}).(flash)
	return f.key
}

// FlashRefused reports whether the flash message says something was
// refused (shown as a warning, not as a success).
func FlashRefused(ctx context.Context) bool {
	f, _ := ctx.Value(flashKey{}).(flash)
	return f.refused
}

// flash is the message carried over a redirect.
type flash struct {
	key     string
	refused bool
}

// refusedMark starts the cookie value of a refusal.
const refusedMark = "!"

// RedirectRefused sends a 303 See Other with a flash message that says
// why the action was not done.
func RedirectRefused(w http.ResponseWriter, r *http.Request, to, flashKey string) error {
	SetFlash(w, refusedMark+flashKey)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// Redirect sends a 303 See Other, the answer to every successful form post,
// with an optional flash message.
func Redirect(w http.ResponseWriter, r *http.Request, to, flashKey string) error {
	if flashKey != "" {
		SetFlash(w, flashKey)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// T is a shorthand for i18n.T, for templates.
func T(ctx context.Context, key string, args ...any) string { return i18n.T(ctx, key, args...) }
