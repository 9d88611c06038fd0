package home

import (
	"context"
	"io"
	"testing"

	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// BenchmarkHomeView renders the biggest page this branch has: the layout
// with a reviewer's full navigation around the home page, in Chinese.
func BenchmarkHomeView(b *testing.B) {
	u := &auth.User{DisplayName: "王伟", Grants: []auth.Grant{{Role: auth.RoleReviewer, OrgID: 1}, {Role: auth.RoleMember}}}
	nav := auth.NavFor(u)
	ctx := ui.WithViewer(i18n.WithLang(context.Background(), i18n.ZH), &ui.Viewer{Name: u.DisplayName, Role: "role.reviewer", Nav: nav, Active: "/"})
	p := Page{Name: u.DisplayName, Role: "role.reviewer"}
	for _, n := range nav {
		p.Cards = append(p.Cards, Card{Href: n.Href, Label: n.Label})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := View(p).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
