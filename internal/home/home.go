// Package home renders the start page each role lands on after sign-in.
package home

import (
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// Handler serves the home page.
type Handler struct {
	pool *pgxpool.Pool
}

// New returns the home page handler.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool} }

// Card is one link on the home page.
type Card struct {
	Href  string
	Label string // translation key
}

// Page is the home page's view model.
type Page struct {
	Name  string
	Role  string // translation key
	Cards []Card
}

// Home shows the signed-in person's start page: the sections their roles open.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserOf(r.Context())
	p := Page{Name: u.DisplayName, Role: "role." + string(u.MainRole())}
	for _, n := range auth.NavFor(u) {
		if n.Href != "/" {
			p.Cards = append(p.Cards, Card{Href: n.Href, Label: n.Label})
		}
	}
	return ui.Render(w, r, http.StatusOK, View(p))
}
