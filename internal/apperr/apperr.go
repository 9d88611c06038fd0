// Package apperr holds the few error kinds every domain package shares, so
// that one HTTP adapter can turn them into the right page without domain
// code knowing about HTTP.
package apperr

import "errors"

var (
	// ErrNotFound: the record does not exist, or the user may not know it does.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the user is known but the action is not theirs to take.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the record changed since the user loaded it.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: input that failed validation.
	ErrInvalid = errors.New("invalid input")
)
