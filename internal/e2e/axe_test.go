package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axe-core, the standard accessibility rule engine, runs in the browser
// over every page view TestContrastAndKeyboard checks (every page each
// role reaches, in Chinese and English, at desktop width and at 390 px),
// with the WCAG 2.0 and 2.1 A and AA rules; any violation fails the test.
// The engine is not in the repository: .ci/axe fetches the pinned release
// from npm into bin/tools/axe-core (MPL-2.0, its licence beside it);
// ZHIBU_AXE names another copy of axe.min.js.

// axeVersion is the release .ci/axe fetches.
const axeVersion = "4.14.1"

var axeSource = sync.OnceValues(func() (string, error) {
	path := os.Getenv("ZHIBU_AXE")
	if path == "" {
		path = filepath.Join("..", "..", "bin", "tools", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("axe-core not found at %s (bash .ci/axe fetches axe-core %s from npm): %w", path, axeVersion, err)
	}
	return string(b), nil
})

// axeScript returns the engine's source, or "" when it is missing: then
// TestAxeIsInstalled reports the skip (or, under E2E=1, the failure).
func axeScript() string {
	s, _ := axeSource()
	return s
}

// TestAxeIsInstalled says when the axe-core checks are skipped because the
// engine is missing, and fails then under E2E=1 (as .ci/run sets).
func TestAxeIsInstalled(t *testing.T) {
	src, err := axeSource()
	if err != nil {
		if os.Getenv("E2E") == "1" {
			t.Fatal(err)
		}
		t.Skipf("SKIPPED: the axe-core checks in TestContrastAndKeyboard: %v", err)
	}
	if !strings.Contains(src, axeVersion) {
		t.Errorf("the axe-core found is not release %s: run bash .ci/axe", axeVersion)
	}
}

// axeViolation is one rule axe found broken, with the elements that break it.
type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		HTML string `json:"html"`
	} `json:"nodes"`
}

// preloadAxe installs axe-core in every document the tab loads from now
// on, before the page's own scripts: chromium keeps the compiled engine,
// so a page load costs a fraction of evaluating the 500-kB source on it
// (measured: about 60 ms against 250-450 ms per page).
func (b *Browser) preloadAxe() {
	b.t.Helper()
	src := axeScript()
	if src == "" {
		return
	}
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	}))
}

// axeRun runs axe-core over the current page and returns a line for each
// violation (none when the engine is missing).
func (b *Browser) axeRun() []string {
	b.t.Helper()
	src := axeScript()
	if src == "" {
		return nil
	}
	loaded, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if !loaded {
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](src+";0")); err != nil {
			b.t.Fatalf("load axe-core: %v", err)
		}
	}
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
		resultTypes: ['violations']
	}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe: %v", err)
	}
	var out []string
	for _, v := range found {
		var where []string
		for _, n := range v.Nodes[:min(3, len(v.Nodes))] {
			where = append(where, n.HTML[:min(160, len(n.HTML))])
		}
		out = append(out, fmt.Sprintf("axe %s (%s), %d element(s): %s", v.ID, v.Help, len(v.Nodes), strings.Join(where, " | ")))
	}
	return out
}
