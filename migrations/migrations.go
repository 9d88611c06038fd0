// Package migrations holds the numbered SQL schema migrations, embedded
// into the binary so that a deployment needs no loose files.
package migrations

import "embed"

// FS holds every *.up.sql and *.down.sql file in this folder.
//
//go:embed *.sql
var FS embed.FS
