package replay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/replay"
)

// Check that spgo's daemon answers a real Spread 4.4.0 daemon's recorded
// conversation as the real one did.
func ExampleClient() {
	d, err := daemon.Start(daemon.Config{Name: "localhost", Port: 0, NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	rec, err := replay.Load("../../testdata/captures/11_join_second_client.txt")
	if err != nil {
		log.Fatal(err)
	}
	res, err := replay.Client(context.Background(), rec, replay.Options{Daemon: d.SpreadName(), Timeout: 5 * time.Second})
	var diff *replay.Difference
	if errors.As(err, &diff) {
		fmt.Println(diff)
		fmt.Println(diff.Detail())
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d connections, %d writes, %d answers compared: no difference\n", res.Conns, res.Sent, res.Compared)
	// Output:
	// 2 connections, 8 writes, 12 answers compared: no difference
}

// Play a recorded daemon to a client: here the recording's own client
// side, as any client library under test would connect.
func ExampleDaemon() {
	rec, err := replay.Load("../../testdata/captures/01_connect_membership_on.txt")
	if err != nil {
		log.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	go func() {
		if _, err := replay.Client(context.Background(), rec, replay.Options{Daemon: spreadName(l), Timeout: 5 * time.Second}); err != nil {
			log.Print(err)
		}
	}()
	res, err := replay.Daemon(context.Background(), rec, replay.Options{Timeout: 5 * time.Second}, l)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d connection, %d client units and closes compared: no difference\n", res.Conns, res.Compared)
	// Output:
	// 1 connection, 4 client units and closes compared: no difference
}
