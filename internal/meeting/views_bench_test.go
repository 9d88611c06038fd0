package meeting

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// BenchmarkMeetingShowView renders a submitted Party day with 50
// attendance rows, its minutes and one revision inside a secretary's
// layout, as GET /meetings/{id} does after its queries.
func BenchmarkMeetingShowView(b *testing.B) {
	u := &auth.User{DisplayName: "李娜", Grants: []auth.Grant{{Role: auth.RoleSecretary, OrgID: 2}, {Role: auth.RoleMember}}}
	ctx := ui.WithViewer(i18n.WithLang(context.Background(), i18n.ZH),
		&ui.Viewer{Name: u.DisplayName, Role: "role.secretary", Nav: auth.NavFor(u), Active: "/meetings"})
	at := time.Date(2026, 11, 20, 14, 30, 0, 0, i18n.Shanghai)
	form := "seminar"
	p := ShowPage{M: Meeting{ID: 77, OrgID: 2, OrgName: "办公室党支部", OrgKind: "branch", OrgPath: []int64{1, 2}, Kind: "party_day",
		Topic: "学习贯彻党的二十届四中全会精神", StartsAt: at, EndsAt: at.Add(2 * time.Hour), Place: "三楼会议室", HostName: "李娜",
		RecorderName: "王伟", Agenda: "一、集中学习\n二、交流发言", Minutes: "会议由李娜同志主持。\n全体党员参加学习并交流发言。",
		Decisions: "按月开展主题党日。", StudyForm: &form, StudyHours: 2, Status: StatusSubmitted, EnteredAt: at.Add(3 * time.Hour), Version: 3},
		Revisions: []Revision{{N: 1, Minutes: "初稿", ChangedBy: "王伟", ChangedAt: at.Add(4 * time.Hour), Reason: "补充发言"}}}
	for i := range 50 {
		a := Attendance{MemberID: int64(1000 + i), Name: fmt.Sprintf("成员%02d", i), Status: Present, Hours: 2}
		if i%10 == 9 {
			a.Status, a.Reason, a.Hours = Leave, "出差", 0
		}
		p.Attendance = append(p.Attendance, a)
	}
	p.Stats = StatsOf(p.Attendance)
	b.ReportAllocs()
	for b.Loop() {
		if err := ShowView(p).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
