// Command spgo is a pure-Go toolkit for the Spread group-communication
// system: a client (connect, join, send, listen, poll), an embedded daemon
// or a ring of them in one process (daemon, daemon ctl), spmonitor's status
// query with checks (monitor) and a benchmark (flood).
//
// Usage:
//
//	spgo COMMAND [flags] [args]
//
// `spgo help COMMAND` and docs/cli describe every command, its flags and
// its exit codes. The commands are built in internal/cli; main only exits
// with the code cli.Main returns.
package main

import (
	"os"

	"github.com/spgo/spgo/internal/cli"
)

func main() { os.Exit(cli.Main()) }
