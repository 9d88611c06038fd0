// Package e2e drives Debian's chromium with chromedp against a Zhibu
// server started on a throwaway database, and saves full-page screenshots
// of each journey in both languages at desktop and phone widths.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// chromiumPath finds the browser, or skips the test (fails it under E2E=1):
// the headless shell first, which takes less than half the CPU of the full
// chromium for the same tests (the package took 228 against
// 524 CPU-seconds, measured on the same busy 2-core machine); ZHIBU_CHROMIUM names another.
func chromiumPath(t *testing.T) string {
	t.Helper()
	names := []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"}
	if n := os.Getenv("ZHIBU_CHROMIUM"); n != "" {
		names = []string{n}
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("E2E") == "1" {
		t.Fatal("E2E=1 but chromium is not installed (apt-get install chromium-headless-shell fonts-wqy-microhei)")
	}
	t.Skip("chromium not found: browser tests skipped (install chromium-headless-shell, or set E2E=1 to require them)")
	return ""
}

// Browser is one test's browser: a tab in a browser context of its own
// (its own cookies and storage, like a separate profile) in the chromium
// process the package's tests share.
type Browser struct {
	t   *testing.T
	ctx context.Context
}

// sharedChromium is one chromium process for every browser of a language:
// starting chromium costs about 3.5 s of CPU, and the suite opens some
// fifty browsers.
type sharedChromium struct {
	once sync.Once
	ctx  context.Context // the context that started the process
	err  error
}

var (
	chromiumMu sync.Mutex
	chromiums  = map[string]*sharedChromium{}
)

// chromiumFor starts (once) the chromium process that sends acceptLang,
// with the flags a closed network needs; it stops when the package's
// tests end (dbtest.AtExit).
func chromiumFor(path, acceptLang string) (context.Context, error) {
	chromiumMu.Lock()
	c := chromiums[acceptLang]
	if c == nil {
		c = &sharedChromium{}
		chromiums[acceptLang] = c
	}
	chromiumMu.Unlock()
	c.once.Do(func() {
		dir, err := os.MkdirTemp("", "zhibu-chromium-")
		if err != nil {
			c.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.UserDataDir(dir),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("accept-lang", acceptLang),
			chromedp.WindowSize(1280, 900),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		dbtest.AtExit(func() { cancel(); cancelAlloc(); _ = os.RemoveAll(dir) })
		if err := chromedp.Do(ctx); err != nil { // start the browser now
			c.err = fmt.Errorf("start chromium: %w", err)
			return
		}
		c.ctx = ctx
	})
	return c.ctx, c.err
}

// newBrowser opens a browser for the test that sends the given
// Accept-Language, at the desktop size.
func newBrowser(t *testing.T, acceptLang string) *Browser {
	t.Helper()
	path := chromiumPath(t)
	parent, err := chromiumFor(path, acceptLang)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 300*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	b := &Browser{t: t, ctx: ctx}
	b.Do(chromedp.EmulateViewport(1280, 900))
	return b
}

// Do runs actions and fails the test on error.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// submit clicks a control that submits a form and returns once the page
// the submission leads to has loaded. Waiting for a selector alone is not
// enough when the old page holds it too: the test would go on while the
// browser is between pages, and a screenshot or a click then may hang or
// land on the old page. The old document is marked before the click; the
// wait ends when a document without the mark is ready.
func (b *Browser) submit(click string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.zhibuOldPage = true`)); err != nil {
		b.t.Fatalf("mark the page: %v", err)
	}
	b.Do(chromedp.Click(chromedp.CSS(click)))
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Between pages the evaluation fails (no document yet): try again.
		fresh, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!window.zhibuOldPage && document.readyState === 'complete'`))
		if err == nil && fresh {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("after clicking %s no new page loaded (last error: %v)", click, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Text returns the text of the first element matching a CSS selector.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// Location is the current address.
func (b *Browser) Location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// outDir is where screenshots go: $ZHIBU_TESTOUT or ./testout/e2e at the
// repository root.
func outDir(t *testing.T) string {
	dir := os.Getenv("ZHIBU_TESTOUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "testout", "e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// widths are the two screens every journey is photographed at.
var widths = []struct {
	name string
	w, h int64
}{{"desktop", 1280, 900}, {"phone", 390, 844}}

// Shoot saves full-page screenshots of the current page at desktop and
// phone width as NAME-desktop.png and NAME-phone.png.
func (b *Browser) Shoot(name string) {
	b.t.Helper()
	for _, w := range widths {
		b.Do(chromedp.EmulateViewport(w.w, w.h))
		png, err := chromedp.Run(b.ctx, fullPNG)
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if len(png) < 1000 {
			b.t.Fatalf("screenshot %s is empty", name)
		}
		path := filepath.Join(outDir(b.t), fmt.Sprintf("%s-%s.png", name, w.name))
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.Do(chromedp.EmulateViewport(1280, 900))
}

// fullPNG captures the whole page as a PNG encoded for speed: the images
// are somewhat larger, but chromium encodes a tall page in about two
// thirds of the time (PNG encoding is much of what a screenshot costs, and
// the package takes some 340).
var fullPNG chromedp.Action[[]byte] = func(ctx context.Context, _ *chromedp.Target) ([]byte, error) {
	yes := true
	r, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: &yes,
		FromSurface:           &yes,
		OptimizeForSpeed:      &yes,
	})
	return r.Data, err
}

// ShootBoth photographs the current page as NAME-zh and, after the
// language switch, as NAME-en (desktop and phone each), then switches back.
// The browser starts in Chinese.
func (b *Browser) ShootBoth(name string) {
	b.t.Helper()
	b.Shoot(name + "-zh")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main`)))
	b.Shoot(name + "-en")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] main`)))
}
