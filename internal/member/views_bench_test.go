package member

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"testing"

	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// BenchmarkRosterView renders a full roster page (50 rows, masked
// numbers, the filters and the pager) inside a secretary's layout, as
// GET /members?org= does after its queries.
func BenchmarkRosterView(b *testing.B) {
	u := &auth.User{DisplayName: "李娜", Grants: []auth.Grant{{Role: auth.RoleSecretary, OrgID: 2}, {Role: auth.RoleMember}}}
	ctx := ui.WithViewer(i18n.WithLang(context.Background(), i18n.ZH),
		&ui.Viewer{Name: u.DisplayName, Role: "role.secretary", Nav: auth.NavFor(u), Active: "/members"})
	p := ListPage{Filter: Filter{OrgID: 2}, CanWrite: true,
		Orgs:  []OrgOption{{ID: 2, Name: "办公室党支部"}, {ID: 3, Name: "第一党小组"}, {ID: 4, Name: "第二党小组"}},
		Pager: ui.Pager{Page: 1, PageSize: PageSize, Total: 50, Query: url.Values{"org": {"2"}}, Path: "/members"}}
	for i := range 50 {
		p.Rows = append(p.Rows, ListItem{ID: int64(1000 + i), Name: fmt.Sprintf("成员%02d", i), Gender: "female", Department: "办公室",
			JobTitle: "主任科员", Category: "full", Status: "normal", IDNumber: "110***********123X", Phone: "138****5678",
			Branch: "办公室党支部", Group: "第一党小组"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := ListView(p).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
