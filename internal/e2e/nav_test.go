package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestNavigationMenus: a committee reviewer's twenty areas sit in a few
// menus of the bar; a menu opens, its link leads to the area, and the
// menu holding the current page is marked. Screenshots with a menu open,
// in both languages at desktop and phone width.
func TestNavigationMenus(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	entries, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('.mainnav > ul > li').length`))
	if err != nil {
		t.Fatal(err)
	}
	if entries > 8 {
		t.Errorf("the reviewer's bar has %d entries, want at most 8 (menus)", entries)
	}
	work := `.mainnav details:has(a[href="/plans"])`
	for _, lang := range []string{"zh", "en"} {
		b.Do(chromedp.Click(chromedp.CSS(work+` > summary`)), chromedp.WaitVisible(chromedp.CSS(work+` a[href="/plans"]`)))
		b.Shoot("nav-menu-" + lang)
		if lang == "zh" {
			b.Do(chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main`)))
		}
	}
	b.Do(chromedp.Click(chromedp.CSS(work+` a[href="/plans"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main h1`)))
	path, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, "/plans") {
		t.Errorf("the menu's link led to %s, want /plans", path)
	}
	active, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!document.querySelector('`+work+` > summary.active') && !document.querySelector('`+work+`').open`))
	if err != nil {
		t.Fatal(err)
	}
	if !active {
		t.Error("on /plans the closed menu holding it is not marked as the current area")
	}
}
