package upload

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	pdf := []byte("%PDF-1.7\n")
	for _, c := range []struct {
		name    string
		data    []byte
		allowed []string
		want    string
		err     error
	}{
		{"png", png, Images, "image/png", nil},
		{"pdf as document", pdf, Documents, "application/pdf", nil},
		{"pdf as photo", pdf, Images, "", ErrBadType},
		{"text", []byte("hello"), Documents, "", ErrBadType},
		{"empty", nil, Documents, "", ErrMissing},
		{"exactly 10 MB", append(pdf, bytes.Repeat([]byte{'x'}, MaxBytes-len(pdf))...), Documents, "application/pdf", nil},
		{"a byte over", append(pdf, bytes.Repeat([]byte{'x'}, MaxBytes-len(pdf)+1)...), Documents, "", ErrTooLarge},
	} {
		got, err := Sniff(c.data, c.allowed)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("%s: %q %v, want %q %v", c.name, got, err, c.want, c.err)
		}
	}
}

func TestCleanName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`C:\扫描\证书.pdf`:           "证书.pdf",
		"../../etc/passwd":       "passwd",
		"a\"b\x00c.png":          "abc.png",
		"":                       "attachment",
		strings.Repeat("长", 250): strings.Repeat("长", 200),
	} {
		if got := CleanName(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestServeHeaders(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	if err := Serve(w, "证书.pdf", "application/pdf", []byte("%PDF"), false); err != nil {
		t.Fatal(err)
	}
	h := w.Header()
	if !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "application/pdf" {
		t.Fatalf("%v", h)
	}
}
