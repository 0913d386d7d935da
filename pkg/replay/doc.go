// Package replay turns a recorded Spread conversation (the capture format
// of testdata/captures, which spgo tap --record writes) into a test.
//
// Against a daemon, Client plays the recording's client side and checks
// every answer byte for byte, except what a daemon legitimately chooses:
// the group-id time of membership bodies, and private group names (the
// names it invents for clients that give none, and its own name after the
// second '#'). The first answer that differs is a *Difference holding both
// frames decoded.
//
// As a daemon, Daemon plays the recording's daemon side to the clients
// that connect, in the order the recording opened its connections, and
// checks every unit a client sends, so a client library can be tested
// against a real daemon's recorded behaviour with no daemon running.
package replay
