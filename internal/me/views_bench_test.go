package me

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
	"zhibu/internal/ui"
)

// BenchmarkMeView renders a member's /me for a full year (39 activities,
// as the benchmark member has on the full data set, twelve months of
// hours, online courses, appraisals and a commendation) inside the
// member's layout.
func BenchmarkMeView(b *testing.B) {
	u := &auth.User{DisplayName: "张敏", Grants: []auth.Grant{{Role: auth.RoleMember}}}
	ctx := ui.WithViewer(i18n.WithLang(context.Background(), i18n.ZH),
		&ui.Viewer{Name: u.DisplayName, Role: "role.member", Nav: auth.NavFor(u), Active: "/me"})
	day := time.Date(2026, 1, 9, 14, 30, 0, 0, i18n.Shanghai)
	kinds := []string{"committee", "party_day", "study", "general", "lecture", "group"}
	p := Page{Year: 2026, Years: []int{2026, 2025, 2024, 2023, 2022}, Total: 44, CalendarURL: "/calendar/abc.ics",
		Record: Record{Profile: Profile{Name: "张敏", BranchID: 2, BranchName: "办公室党支部", GroupName: "第一党小组"}, Minimum: 32,
			Credits:       []Credit{{Kind: "online", Hours: 8, EarnedOn: day, Evidence: "网络学院结业证书"}},
			Appraisals:    []Appraisal{{Year: 2025}, {Year: 2024}},
			Commendations: []Commendation{{Title: "优秀共产党员", Level: "committee", GrantedOn: day, Issuer: "机关党委", DocumentNo: "机党〔2026〕12号"}},
			Upcoming:      []meeting.Upcoming{{ID: 9, OrgName: "办公室党支部", Kind: "party_day", Topic: "主题党日", Place: "三楼会议室", StartsAt: day.AddDate(0, 11, 0), EndsAt: day.AddDate(0, 11, 0).Add(time.Hour)}}}}
	for i := range 39 {
		a := Activity{MeetingID: int64(100 + i), Kind: kinds[i%len(kinds)], Topic: fmt.Sprintf("第%d次学习", i+1), OrgName: "办公室党支部",
			StartsAt: day.AddDate(0, 0, 8*i), Status: meeting.Present, Hours: 1.5}
		if i%12 == 11 {
			a.Status, a.Reason, a.Hours = meeting.Leave, "出差", 0
		}
		p.Activities = append(p.Activities, a)
	}
	for m := range 11 {
		p.Months[m] = 4
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := MeView(p).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
