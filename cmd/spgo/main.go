// Command spgo is a pure-Go toolkit for the Spread group-communication system.
package main

import (
	"os"

	"github.com/spgo/spgo/internal/cli"
)

func main() { os.Exit(cli.Main()) }
