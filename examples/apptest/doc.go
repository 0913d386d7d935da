// Package apptest is an application's test of spgo, in a module of its
// own that imports spgo as any other module would (go.mod's replace points
// at this repository): it checks that what the documentation promises
// holds from outside. `make race` runs it; `go test ./...` at the
// repository's root does not, since this is another module.
package apptest
