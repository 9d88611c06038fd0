// Package export is the one guard every CSV and .xlsx export passes its
// cells through, so that a spreadsheet program never reads text someone
// typed (a name, a note, a citation) as a formula (CSV/formula injection).
package export

import "strings"

// triggers are the first characters that make a spreadsheet program read
// a cell as a formula (tab and carriage return as well: some programs skip
// them and read what follows).
const triggers = "=+-@\t\r"

// Cell returns s as a cell that cannot start a formula: text starting
// with =, +, -, @, a tab or a carriage return gets a leading apostrophe,
// which spreadsheet programs show as text; anything else is unchanged.
func Cell(s string) string {
	if s != "" && strings.IndexByte(triggers, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Row returns a copy of rec with every cell passed through Cell.
func Row(rec []string) []string {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = Cell(s)
	}
	return out
}

// Values returns a copy of an .xlsx row with its text passed through Cell;
// numbers, dates and other typed values are kept as they are.
func Values(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			v = Cell(s)
		}
		out[i] = v
	}
	return out
}
