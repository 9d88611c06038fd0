package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestAttendanceRunningCount: the attendance form counts present, on
// leave and absent as the secretary changes them, says whether a
// committee meeting has its quorum, and shows study hours only for those
// present.
func TestAttendanceRunningCount(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "secretary")
	b.Do(chromedp.Navigate(app.URL+"/meetings/new?status=draft&kind=committee"), chromedp.WaitVisible(chromedp.ID("f-topic")))
	b.set("f-org_id", strconv.FormatInt(secretaryBranch(t, app), 10))
	b.set("f-topic", "研究支部工作")
	b.set("f-minutes", "会议研究了支部近期工作。")
	b.submit(`[data-testid="save"]`)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="attendance-form"]`)))

	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=attendance-form] tbody tr input[value=present]').length`))
	if err != nil || rows < 3 {
		t.Fatalf("%d rows due (%v)", rows, err)
	}
	running := func() string { return b.Text(`[data-testid="att-running"]`) }
	if got := running(); !strings.Contains(got, "出席 "+strconv.Itoa(rows)+" 人") || !strings.Contains(got, "已过半数") {
		t.Errorf("before any change: %q", got)
	}
	// Everyone but one on leave: no quorum, and their hours disappear.
	for i := 1; i < rows; i++ {
		b.Do(chromedp.Click(chromedp.CSS(`[data-testid=attendance-form] tbody tr:nth-child(` + strconv.Itoa(i+1) + `) input[value=leave]`)))
	}
	if got := running(); !strings.Contains(got, "出席 1 人") || !strings.Contains(got, "请假 "+strconv.Itoa(rows-1)+" 人") || !strings.Contains(got, "未过半数") {
		t.Errorf("after leave: %q", got)
	}
	hidden, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('[data-testid=attendance-form] td.hours input')).filter(e => e.hidden).length`))
	if err != nil || hidden != rows-1 {
		t.Errorf("%d hours inputs hidden, want %d (%v)", hidden, rows-1, err)
	}
	b.ShootBoth("secretary-attendance-running")
}
