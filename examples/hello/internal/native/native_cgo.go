//go:build cgo

// Package native answers with C when cgo is on, and in Go when it is off.
package native

/*
static int answer(void) { return 6 * 7; }
*/
import "C"

import "fmt"

// Describe says which implementation answered.
func Describe() string {
	return fmt.Sprintf("C says %d", int(C.answer()))
}
