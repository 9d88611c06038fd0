// Package arch holds no code: its tests check the rules of the code's shape
// that the compiler does not (one writer per table, which areas may import
// which, no ignored errors), by reading the source of the other packages.
package arch
