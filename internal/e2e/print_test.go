package e2e

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

var (
	pdfStream   = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	pdfPage     = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]`)
	pdfShowText = regexp.MustCompile(`\]\s*TJ|\)\s*Tj|>\s*Tj`)
)

// pdfFacts counts a PDF's pages and text-showing operators, and returns
// the first page's size in points.
func pdfFacts(t *testing.T, pdf []byte) (pages, shows int, w, h string) {
	t.Helper()
	pages = len(pdfPage.FindAll(pdf, -1))
	if m := pdfMediaBox.FindSubmatch(pdf); m != nil {
		w, h = string(m[1]), string(m[2])
	}
	for _, m := range pdfStream.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // not a deflated stream
		}
		b, _ := io.ReadAll(zr)
		shows += len(pdfShowText.FindAll(b, -1))
	}
	return pages, shows, w, h
}

// printPDF prints the current page as chromium's print-to-PDF does, with
// the page size the stylesheet asks for.
func (b *Browser) printPDF() []byte {
	b.t.Helper()
	pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(func(p *page.PrintToPDFParams) {
		yes := true
		p.PreferCSSPageSize = &yes
	}))
	if err != nil {
		b.t.Fatalf("print: %v", err)
	}
	return pdf
}

// TestPrintViews prints the meeting record, the member transcript and a
// branch's yearly report to PDF in chromium: A4 pages, no navigation, and
// page numbers from the stylesheet's @page margin box (the same page
// printed with the margin box switched off shows one text less on each
// page).
func TestPrintViews(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	var branch, meeting int64
	ctx := context.Background()
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE org_id = $1 AND status = 'submitted' ORDER BY starts_at DESC LIMIT 1`, branch).Scan(&meeting); err != nil {
		t.Fatal(err)
	}
	// The recruitment record (全程纪实表 and 入党材料 checklist) of the
	// branch's probationary member furthest along (issue 20).
	var recruit int64
	if err := app.Pool.QueryRow(ctx, `SELECT m.id FROM members m WHERE m.branch_id = $1 AND m.category = 'probationary'
   AND EXISTS (SELECT 1 FROM recruit_steps s WHERE s.member_id = m.id) ORDER BY (SELECT count(*) FROM recruit_steps s WHERE s.member_id = m.id) DESC, m.id LIMIT 1`, branch).Scan(&recruit); err != nil {
		t.Fatal(err)
	}
	views := []struct{ user, path, shot string }{
		{"secretary", fmt.Sprintf("/meetings/%d/print", meeting), "print-meeting"},
		{"secretary", fmt.Sprintf("/recruitment/%d/print", recruit), "print-recruit"},
		{"member", "/me/transcript", "print-transcript"},
		{"reviewer", fmt.Sprintf("/review/branches/%d/report", branch), "print-report"},
	}
	b := newBrowser(t, "zh-CN,zh")
	for _, v := range views {
		signIn(b, app, v.user)
		b.Do(chromedp.Navigate(app.URL+v.path), chromedp.WaitReady(chromedp.CSS("main article")))
		// In print, the navigation and footer are gone.
		b.media("print")
		shown, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.topbar, .mainnav, .footer, .skip, .langswitch')).filter(e => e.checkVisibility()).map(e => e.className)`))
		if err != nil || len(shown) > 0 {
			t.Errorf("%s: printed with %q (%v)", v.path, shown, err)
		}
		b.media("")
		if v.shot == "print-meeting" {
			b.ShootBoth(v.shot)
		}
		pdf := b.printPDF()
		pages, shows, w, h := pdfFacts(t, pdf)
		if pages < 1 || w == "" || !near(w, 595.3) || !near(h, 841.9) {
			t.Errorf("%s: %d pages of %s×%s pt, want A4 (595×842)", v.path, pages, w, h)
		}
		if v.shot == "print-recruit" && pages != 2 {
			t.Errorf("%s: %d pages, want the record on one page and the checklist on the next", v.path, pages)
		}
		if v.shot != "print-report" {
			t.Logf("%s: %d A4 page(s)", v.path, pages)
			b.Do(chromedp.Navigate(app.URL+"/"), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("f-username")))
			continue
		}
		// The same print without the page-number margin box (once: the
		// rule is the same for every print view).
		b.Do(chromedp.Evaluate[chromedp.Void](`document.styleSheets[0].insertRule('@page { @bottom-center { content: none } }', document.styleSheets[0].cssRules.length)`))
		_, bare, _, _ := pdfFacts(t, b.printPDF())
		if shows-bare < pages {
			t.Errorf("%s: %d pages but only %d more texts with page numbers than without (%d vs %d): chromium did not print them", v.path, pages, shows-bare, shows, bare)
		}
		t.Logf("%s: %d A4 page(s); %d texts with page numbers, %d without", v.path, pages, shows, bare)
		b.Do(chromedp.Navigate(app.URL+"/"), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("f-username")))
	}
}

// media emulates a CSS media type ("" for the screen again).
func (b *Browser) media(m string) {
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	}))
}

func near(s string, want float64) bool {
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		return false
	}
	return f > want-1.5 && f < want+1.5
}
