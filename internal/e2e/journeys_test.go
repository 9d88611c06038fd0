package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
	"zhibu/internal/seed"
)

// langs are the two interface languages, with the Accept-Language each
// browser sends and a word the sign-in page shows in it.
var langs = []struct{ code, accept, signIn string }{
	{"zh", "zh-CN,zh", "登录"},
	{"en", "en-US,en", "Sign in"},
}

// signIn signs the browser in as a demo user and opens the home page. The
// session is started in the session store, as apptest.Login does, and its
// cookie handed to the browser: the sign-in form itself is driven by
// TestSignInForEachRole and the accessibility pass (signInByForm).
func signIn(b *Browser, app *apptest.App, user string) {
	b.t.Helper()
	c := app.Session(b.t, user)
	httpOnly := true
	b.Do(
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: app.URL, Path: c.Path, HTTPOnly: &httpOnly})
			return err
		}),
		chromedp.Navigate(app.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-title"]`)),
	)
}

// signInByForm signs in through the sign-in page with the demo password.
func signInByForm(b *Browser, base, user string) {
	b.t.Helper()
	b.Do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("f-username")),
		chromedp.SendKeys(chromedp.ID("f-username"), user),
		chromedp.SendKeys(chromedp.ID("f-password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-title"]`)),
	)
}

func TestSignInForEachRole(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	for _, l := range langs {
		t.Run(l.code, func(t *testing.T) {
			b := newBrowser(t, l.accept)
			b.Do(chromedp.Navigate(app.URL + "/login"))
			if got := b.Text(`[data-testid="login-submit"]`); got != l.signIn {
				t.Fatalf("sign-in button %q, want %q", got, l.signIn)
			}
			b.Shoot("login-" + l.code)
			for _, user := range []string{"member", "secretary", "reviewer", "admin", "security", "auditor"} {
				signInByForm(b, app.URL, user)
				if b.Text(`[data-testid="whoami"]`) == "" {
					t.Errorf("%s: no name in the header", user)
				}
				if !slices.Contains([]string{"member", "secretary", "reviewer"}, user) {
					// TestWorkbenches photographs these three homes.
					b.Shoot(fmt.Sprintf("home-%s-%s", user, l.code))
				}
				b.Do(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("f-username")))
			}
		})
	}
}

func TestLanguageSwitchInTheBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "member")
	if got := b.Text(`[data-testid="home-role"]`); got != "党员" {
		t.Fatalf("role in Chinese: %q", got)
	}
	b.Shoot("lang-before-zh")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] [data-testid="home-title"]`)))
	if got := b.Text(`[data-testid="home-role"]`); got != "Party member" {
		t.Fatalf("role after switching to English: %q", got)
	}
	b.Shoot("lang-switched-en")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] [data-testid="home-title"]`)))
	if got := b.Text(`[data-testid="home-role"]`); got != "党员" {
		t.Fatalf("role after switching back: %q", got)
	}
}

// TestCrossSiteFormPostIsRefused signs in, then opens a page on another
// origin whose form posts to Zhibu: the browser sends the session cookie
// only for top-level posts (SameSite=Lax), and Zhibu must refuse it anyway.
func TestCrossSiteFormPostIsRefused(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><body><h1>Prize</h1>
<form method="post" action="%s/logout"><button id="go" type="submit">Claim</button></form></body></html>`, app.URL)
	}))
	defer evil.Close()
	// Another origin: 127.0.0.1 vs localhost.
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	// One browser, Chinese first, then English after the language switch.
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "member")
	for _, l := range langs {
		if l.code == "en" {
			b.Do(chromedp.Navigate(app.URL+"/"), chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main`)))
		}
		b.Do(chromedp.Navigate(evilURL), chromedp.WaitVisible(chromedp.ID("go")))
		b.Do(chromedp.Click(chromedp.ID("go")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-page"]`)))
		if got := b.Text(`.errorpage .status`); got != "403" {
			t.Errorf("%s: cross-site post answered %q, want 403", l.code, got)
		}
		b.Shoot("cross-site-refused-" + l.code)
		// Still signed in: the post changed nothing.
		b.Do(chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-title"]`)))
	}
}
