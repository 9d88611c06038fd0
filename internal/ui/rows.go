package ui

import (
	"context"
	"io"
	"sync"

	"github.com/a-h/templ"
)

// Rows renders a table body's rows with row, a hand-written writer that
// appends each row's HTML to a byte slice. templ formats every { }
// expression with fmt.Sprint (two allocations each); in a 50-row table of
// ten cells that was about a third of the page's rendering
// (docs/performance.md, issue 24). row escapes text with AppendText.
func Rows[T any](items []T, row func(ctx context.Context, b []byte, item T) []byte) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		bp := rowBuffers.Get().(*[]byte)
		b := (*bp)[:0]
		for _, it := range items {
			b = row(ctx, b, it)
		}
		_, err := w.Write(b)
		if cap(b) <= 1<<20 {
			*bp = b
			rowBuffers.Put(bp)
		}
		return err
	})
}

var rowBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// AppendText appends s escaped as HTML text or a quoted attribute value,
// exactly as templ (html.EscapeString) escapes it.
func AppendText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
