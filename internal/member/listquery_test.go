package member

import (
	"strings"
	"testing"
)

// TestListQueryHoldsOnlyTheFiltersInUse checks that the roster statement
// names only the filters set (so that each combination gets a cached plan)
// and numbers its parameters to match the arguments.
func TestListQueryHoldsOnlyTheFiltersInUse(t *testing.T) {
	tests := []struct {
		name     string
		f        Filter
		want     []string // fragments the statement must hold
		wantNot  []string // fragments it must not hold
		wantArgs int
	}{
		{"no filter", Filter{Roots: []int64{1}, Limit: 50},
			nil, []string{"b.path @>", "ILIKE", "m.category =", "m.party_status =", "m.group_id =", " OR "}, 3},
		{"one branch", Filter{Roots: []int64{1}, OrgID: 7, Limit: 50},
			[]string{"b.path @> ARRAY[$4::bigint]"}, []string{"ILIKE", "m.category ="}, 4},
		{"search by name", Filter{Roots: []int64{1}, Q: "王", Limit: 50},
			[]string{"m.name ILIKE $4", "m.department ILIKE $4"}, []string{"id_number_tail"}, 4},
		{"search by ID tail", Filter{Roots: []int64{1}, Q: "123x", Limit: 50},
			[]string{"m.name ILIKE $4", "right(m.id_number_tail, length($5::text)) = $5"}, nil, 5},
		{"every filter", Filter{Roots: []int64{1}, OrgID: 7, Q: "a", Category: "full", Status: "normal", GroupID: 9, Sort: "admitted", Desc: true},
			[]string{"ARRAY[$4::bigint]", "ILIKE $5", "m.category = $6", "m.party_status = $7", "m.group_id = $8", "ORDER BY m.admitted_on DESC"}, nil, 8},
		{"unknown sort falls back to the name", Filter{Sort: "password_hash"},
			[]string{"ORDER BY convert_to(m.name, 'GB18030') ASC"}, []string{"password_hash"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args := listQuery(tt.f)
			where := sql[strings.Index(sql, "WHERE"):]
			for _, w := range tt.want {
				if !strings.Contains(sql, w) {
					t.Errorf("statement lacks %q:\n%s", w, sql)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(where, w) {
					t.Errorf("statement holds %q:\n%s", w, sql)
				}
			}
			if len(args) != tt.wantArgs {
				t.Errorf("%d arguments, want %d", len(args), tt.wantArgs)
			}
		})
	}
}
