package db

import "strings"

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike makes what a user typed match itself literally in a LIKE or
// ILIKE pattern: %, _ and \ are escaped with PostgreSQL's default escape
// character, the backslash. Every search box goes through it, so `%`
// finds a percent sign rather than every row.
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// Contains is the LIKE pattern of the rows that contain s literally.
func Contains(s string) string { return "%" + EscapeLike(s) + "%" }

// Prefix is the LIKE pattern of the rows that start with s literally.
func Prefix(s string) string { return EscapeLike(s) + "%" }
