package meeting

import (
	"fmt"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// svgWriter draws a QR code's modules as one SVG path, with the quiet
// zone of four modules the standard asks for. Drawn here so the sign-in
// screen needs nothing from outside (agencies run on closed networks).
type svgWriter struct {
	b *strings.Builder
}

func (w svgWriter) Write(mat qrcode.Matrix) error {
	const quiet = 4
	size := mat.Width() + 2*quiet
	fmt.Fprintf(w.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size)
	fmt.Fprintf(w.b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	mat.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if v.IsSet() {
			fmt.Fprintf(w.b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
		}
	})
	w.b.WriteString(`"/></svg>`)
	return nil
}

func (svgWriter) Close() error { return nil }

// QRSVG draws text as a QR code in SVG.
func QRSVG(text string) (string, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", fmt.Errorf("meeting: qr: %w", err)
	}
	var b strings.Builder
	if err := q.Save(svgWriter{b: &b}); err != nil {
		return "", fmt.Errorf("meeting: qr: %w", err)
	}
	return b.String(), nil
}
