// Package web holds the static assets (CSS, icons) embedded into the binary.
package web

import "embed"

// Static holds the files under static/, served at content-hashed URLs.
//
//go:embed static
var Static embed.FS
