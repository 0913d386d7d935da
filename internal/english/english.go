// Package english holds the few rules of English that spgo's messages
// need in more than one package, so that each is written once.
package english

import "strconv"

// Plural is the word for n things: one when n is 1, else many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n and the noun, with an s for any n but 1: "1 receiver",
// "0 receivers", "3 receivers".
func Count(n int, noun string) string {
	return strconv.Itoa(n) + " " + Plural(n, noun, noun+"s")
}
