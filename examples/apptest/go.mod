module example.com/apptest

go 1.26.0

require github.com/spgo/spgo v0.0.0

require (
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)

replace github.com/spgo/spgo => ../..
