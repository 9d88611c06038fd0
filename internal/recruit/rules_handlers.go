package recruit

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"zhibu/internal/ui"
)

// RulesPage is the view model of the recruitment rule settings.
type RulesPage struct {
	InForce Rules
	Rows    []RuleRow
	Code    string
	Amount  string
	From    string
	Errors  ui.Errors
}

func (h *Handler) rulesPage(r *http.Request) (RulesPage, error) {
	today := h.today()
	cur, err := LoadRules(r.Context(), h.pool, today)
	if err != nil {
		return RulesPage{}, err
	}
	rows, err := AllRules(r.Context(), h.pool)
	if err != nil {
		return RulesPage{}, err
	}
	return RulesPage{InForce: cur, Rows: rows, From: today.Format(dateLayout)}, nil
}

// Rules shows the rule sets with their sources and the form that changes
// one value from a day (system administrators).
func (h *Handler) Rules(w http.ResponseWriter, r *http.Request) error {
	p, err := h.rulesPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, RulesView(p))
}

// ChangeRule changes one rule from a day, as a new version of the set.
func (h *Handler) ChangeRule(w http.ResponseWriter, r *http.Request) error {
	p, err := h.rulesPage(r)
	if err != nil {
		return err
	}
	p.Code, p.Amount, p.From = strings.TrimSpace(r.PostFormValue("code")), strings.TrimSpace(r.PostFormValue("amount")), strings.TrimSpace(r.PostFormValue("from"))
	if _, ok := p.InForce.By[p.Code]; !ok {
		p.Errors.Add("code", "form.required")
	}
	n, err := strconv.Atoi(p.Amount)
	if err != nil || n < 0 || n > 1000 {
		p.Errors.Add("amount", "recruit.error.number")
	}
	from, err := time.Parse(dateLayout, p.From)
	if err != nil {
		p.Errors.Add("from", "form.bad_date")
	} else if from.Before(h.today()) {
		p.Errors.Add("from", "recruit.error.backdated")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, RulesView(p))
	}
	if err := h.store.ChangeRule(r.Context(), p.Code, n, from); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/recruit-rules", "recruit.flash.rule")
}
