package e2e

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/recruit"
)

// TestDuesrollPages: the dues settings (the monthly threshold with its
// source) and the recruitment import (the form with its template, then a
// rejected file naming each bad row and cell). One ShootBoth per page.
func TestDuesrollPages(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")

	a := newBrowser(t, "zh-CN,zh")
	signIn(a, app, "admin")
	a.Do(chromedp.Navigate(app.URL+"/admin/dues-settings"), chromedp.WaitVisible(chromedp.ID("f-monthly_cap")))
	a.ShootBoth("duesroll-settings")

	x := excelize.NewFile()
	head := make([]any, len(recruit.ImportCols))
	for i, c := range recruit.ImportCols {
		head[i] = c.Header
	}
	bad := []any{"无此人", "110101199001010011", "申请人", "2024-13-01"}
	if err := x.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	if err := x.SetSheetRow("Sheet1", "A2", &bad); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "import.xlsx")
	if err := x.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	s := newBrowser(t, "zh-CN,zh")
	signIn(s, app, "secretary")
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/recruitment/import?branch=%d", app.URL, office)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="rimport-form"]`)))
	s.ShootBoth("duesroll-recruit-import")
	s.Do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}))
	s.submit(`[data-testid="rimport-preview-button"]`)
	s.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="rimport-problems"]`)))
	if got := s.Text(`[data-testid="rimport-problems"]`); got == "" {
		t.Error("the rejected file lists no problem")
	}
	s.Shoot("duesroll-recruit-import-rejected-zh")
}
