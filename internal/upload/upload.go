// Package upload reads and checks the files members and secretaries
// upload (evidence of a study credit, of a plan task's answer, photos of
// a case, a meeting's sign-in sheet): one size cap, the type sniffed from
// the content and never taken from the name or the client's header, a
// clean file name, and the headers a download is served with.
package upload

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxBytes caps one uploaded file.
const MaxBytes = 10 << 20

// MaxBody caps a whole upload request: one file plus the other fields and
// the multipart envelope. Upload routes set it as their body limit
// (http.MaxBytesReader) before anything parses the body.
const MaxBody = MaxBytes + 256<<10

// Accepted content types, as http.DetectContentType names them.
var (
	// Documents are evidence files: a scan or photo, or a PDF.
	Documents = []string{"image/jpeg", "image/png", "application/pdf"}
	// Images are photos shown in pages.
	Images = []string{"image/jpeg", "image/png"}
)

// Errors of an upload, each shown beside its field (Key).
var (
	ErrTooLarge = errors.New("upload: file too large")
	ErrBadType  = errors.New("upload: file type not allowed")
	ErrMissing  = errors.New("upload: no file")
)

// File is a checked upload.
type File struct {
	Name string
	Type string
	Data []byte
}

// Sniff returns the content type of data when it is one of allowed,
// checking its size as well.
func Sniff(data []byte, allowed []string) (string, error) {
	switch {
	case len(data) == 0:
		return "", ErrMissing
	case len(data) > MaxBytes:
		return "", ErrTooLarge
	}
	ct := http.DetectContentType(data)
	if !slices.Contains(allowed, ct) {
		return "", ErrBadType
	}
	return ct, nil
}

// Read parses the request's multipart form (under the body limit its
// route set) and returns the checked file of field. A form without that
// file gives ErrMissing, so a caller for whom the file is optional tests
// for it.
func Read(r *http.Request, field string, allowed []string) (File, error) {
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return File{}, ErrTooLarge
			}
			return File{}, ErrMissing
		}
	}
	f, h, err := r.FormFile(field)
	if err != nil {
		return File{}, ErrMissing
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return File{}, ErrTooLarge
		}
		return File{}, fmt.Errorf("upload: read %s: %w", field, err)
	}
	ct, err := Sniff(data, allowed)
	if err != nil {
		return File{}, err
	}
	return File{Name: CleanName(h.Filename), Type: ct, Data: data}, nil
}

// Cleanup removes the temporary files of a parsed multipart form.
func Cleanup(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

// Key is the message key of an upload error, shown beside the field.
func Key(err error) string {
	switch {
	case errors.Is(err, ErrTooLarge):
		return "upload.error.too_large"
	case errors.Is(err, ErrImageType):
		return "upload.error.image_type"
	case errors.Is(err, ErrBadType):
		return "upload.error.type"
	case errors.Is(err, ErrTooMany):
		return "upload.error.too_many"
	default:
		return "upload.error.missing"
	}
}

// ErrImageType is ErrBadType for a field that takes photos only.
var ErrImageType = fmt.Errorf("%w (photos only)", ErrBadType)

// ReadImage is Read for a photo field: JPEG or PNG, with its own message.
func ReadImage(r *http.Request, field string) (File, error) {
	f, err := Read(r, field, Images)
	if errors.Is(err, ErrBadType) {
		return f, ErrImageType
	}
	return f, err
}

// Refused reports whether err is an upload refused for what was sent
// (too large, wrong type, too many, none), rather than a failure to read.
func Refused(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrBadType) || errors.Is(err, ErrTooMany) || errors.Is(err, ErrMissing)
}

// Status is the status of a refused upload: 413 when too large, 422
// otherwise.
func Status(err error) int {
	if errors.Is(err, ErrTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// CleanName keeps the base name of an uploaded file, without control
// characters or quotes, at most 200 characters.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, name)
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		name = "attachment"
	}
	return name
}

// Serve sends a stored file: as an attachment to save (evidence), or
// inline (a photo shown in a page); the type is the one sniffed when it
// was stored, and the browser may not guess another.
func Serve(w http.ResponseWriter, name, ctype string, data []byte, inline bool) error {
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := w.Write(data)
	return err
}

// ReadAll is Read for a field that takes several files (input multiple):
// each is checked, at most max of them; none at all gives ErrMissing.
// Together they stay within the route's body limit.
func ReadAll(r *http.Request, field string, allowed []string, max int) ([]File, error) {
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, ErrTooLarge
			}
			return nil, ErrMissing
		}
	}
	var out []File
	for _, h := range r.MultipartForm.File[field] {
		if h.Filename == "" && h.Size == 0 {
			continue
		}
		if len(out) == max {
			return nil, ErrTooMany
		}
		f, err := h.Open()
		if err != nil {
			return nil, fmt.Errorf("upload: open %s: %w", field, err)
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("upload: read %s: %w", field, err)
		}
		ct, err := Sniff(data, allowed)
		if errors.Is(err, ErrMissing) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: CleanName(h.Filename), Type: ct, Data: data})
	}
	if len(out) == 0 {
		return nil, ErrMissing
	}
	return out, nil
}

// ErrTooMany is more files in one field than it takes.
var ErrTooMany = errors.New("upload: too many files")

// Size is a file's size for people: KB below a megabyte, MB with one
// decimal above.
func Size(n int) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	}
	return strconv.Itoa((n+1023)/1024) + " KB"
}
