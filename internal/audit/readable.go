package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"zhibu/internal/i18n"
)

// ActionLabel names an action code in the reader's language: its own
// catalogue entry (audit.action.login) when there is one, else the object
// and the verb of its two parts (meeting + create → 会议：创建, "Meeting
// created"), else the code itself, so an action added later still reads.
func ActionLabel(ctx context.Context, code string) string {
	if k := "audit.action." + code; i18n.Has(k) {
		return i18n.T(ctx, k)
	}
	if i := strings.LastIndexByte(code, '.'); i > 0 {
		object, verb := code[:i], code[i+1:]
		if i18n.Has("audit.object."+object) && i18n.Has("audit.verb."+verb) {
			return i18n.T(ctx, "audit.compose", i18n.T(ctx, "audit.verb."+verb), i18n.T(ctx, "audit.object."+object))
		}
	}
	return code
}

// EntityLabel names a record's type ("member" → 党员), or returns it as is.
func EntityLabel(ctx context.Context, entity string) string {
	if k := "audit.object." + entity; i18n.Has(k) {
		return i18n.T(ctx, k)
	}
	return entity
}

// Change is one field of a record before and after an action.
type Change struct {
	Field         string
	Before, After string
	Changed       bool
}

// Changes lays out the before and after values of an event as a field
// table when they are JSON objects (the usual case): the fields in order of
// name, changed ones marked. It returns false when either side is not an
// object, and the page shows the raw values instead.
func Changes(before, after string) ([]Change, bool) {
	b, okB := object(before)
	a, okA := object(after)
	if !okB || !okA {
		return nil, false
	}
	var fields []string
	for k := range b {
		fields = append(fields, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			fields = append(fields, k)
		}
	}
	slices.Sort(fields)
	out := make([]Change, 0, len(fields))
	for _, f := range fields {
		vb, inB := b[f]
		va, inA := a[f]
		c := Change{Field: f, Before: show(vb, inB), After: show(va, inA)}
		c.Changed = !inB || !inA || string(vb) != string(va)
		out = append(out, c)
	}
	return out, true
}

// object reads a JSON object; an empty side counts as an empty object.
func object(s string) (map[string]json.RawMessage, bool) {
	if strings.TrimSpace(s) == "" {
		return map[string]json.RawMessage{}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, false
	}
	return m, true
}

// show renders one JSON value for a person: strings without quotes,
// null and absent as empty, anything else as compact JSON.
func show(v json.RawMessage, present bool) string {
	if !present || string(v) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	var x any
	if err := json.Unmarshal(v, &x); err == nil {
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(string(v))
}
