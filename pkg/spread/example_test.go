package spread_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// receiveWithin is Receive bounded by a timeout: an example that waits for
// a message that never comes fails instead of hanging.
func receiveWithin(mb *spread.Mailbox, timeout time.Duration) spread.Message {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msg, err := mb.ReceiveContext(ctx)
	if err != nil {
		log.Fatalf("%s: %v", mb.PrivateGroup(), err)
	}
	return msg
}

// dataOf is the data of a data message; any other message ends the
// example.
func dataOf(msg spread.Message) string {
	m, ok := msg.(*spread.RegularMessage)
	if !ok {
		log.Fatalf("got %T, want a data message", msg)
	}
	return string(m.Data)
}

// startDaemon starts an embedded daemon on a free port for the examples.
func startDaemon() *daemon.Daemon {
	d, err := daemon.Start(daemon.Config{Name: "localhost", Port: 0, NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	return d
}

func Example() {
	d := startDaemon()
	defer d.Close()

	mb, err := spread.Connect(d.SpreadName(), spread.WithName("alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
	fmt.Println("connected as", mb.PrivateGroup())

	if err := mb.Join("chat"); err != nil {
		log.Fatal(err)
	}
	if err := mb.Multicast(spread.AgreedMess, "chat", []byte("hello"), 7); err != nil {
		log.Fatal(err)
	}
	for range 2 {
		switch m := receiveWithin(mb, 5*time.Second).(type) {
		case *spread.MembershipMessage:
			fmt.Printf("%s: %s by %v, members %v\n", m.Group, m.Cause, m.Changed, m.Members)
		case *spread.RegularMessage:
			fmt.Printf("%s from %s to %v (type %d): %s\n", m.Service, m.Sender, m.Groups, m.MsgType, m.Data)
		}
	}
	// Output:
	// connected as #alice#localhost
	// chat: join by [#alice#localhost], members [#alice#localhost]
	// AGREED_MESS from #alice#localhost to [chat] (type 7): hello
}

func ExampleMailbox_MulticastGroups() {
	d := startDaemon()
	defer d.Close()

	a, err := spread.Connect(d.SpreadName(), spread.WithName("a"))
	if err != nil {
		log.Fatal(err)
	}
	defer a.Disconnect()
	b, err := spread.Connect(d.SpreadName(), spread.WithName("b"), spread.WithMembership(false))
	if err != nil {
		log.Fatal(err)
	}
	defer b.Disconnect()

	// To a group nobody is in and to b's private group: b gets one copy.
	err = a.MulticastGroups(spread.SafeMess|spread.SelfDiscard, []string{"empty", b.PrivateGroup()}, []byte("hi"), 1)
	if err != nil {
		log.Fatal(err)
	}
	msg := receiveWithin(b, 5*time.Second)
	m, ok := msg.(*spread.RegularMessage)
	if !ok {
		log.Fatalf("got %T, want a data message", msg)
	}
	fmt.Println(m.Service, m.Groups, string(m.Data))
	// Output:
	// SAFE_MESS|SELF_DISCARD [empty #b#localhost] hi
}

func ExampleMailbox_ReceiveRaw() {
	d := startDaemon()
	defer d.Close()

	mb, err := spread.Connect(d.SpreadName(), spread.WithName("loop"))
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
	for i := range 3 {
		if err := mb.Multicast(spread.FIFOMess, mb.PrivateGroup(), []byte{'0' + byte(i)}, int16(i)); err != nil {
			log.Fatal(err)
		}
	}
	// One RawMessage for the whole loop: no allocation per message. A read
	// deadline bounds the wait (ReceiveRaw has no context).
	if err := mb.Conn().SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		log.Fatal(err)
	}
	var rm spread.RawMessage
	for range 3 {
		if err := mb.ReceiveRaw(&rm); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s type %d from %s: %s\n", rm.Service, rm.MsgType, rm.Sender(), rm.Data)
	}
	// Output:
	// FIFO_MESS type 0 from #loop#localhost: 0
	// FIFO_MESS type 1 from #loop#localhost: 1
	// FIFO_MESS type 2 from #loop#localhost: 2
}

func ExampleParseDaemonName() {
	for _, name := range []string{"", "4803", "4803@localhost", " +70449@10.0.0.1 x", "localhost:4803", "4803x"} {
		network, addr, err := spread.ParseDaemonName(name)
		if err != nil {
			fmt.Printf("%q: %v\n", name, err)
			continue
		}
		fmt.Printf("%q: %s %s\n", name, network, addr)
	}
	// Output:
	// "": unix /tmp/4803
	// "4803": unix /tmp/4803
	// "4803@localhost": tcp localhost:4803
	// " +70449@10.0.0.1 x": tcp 10.0.0.1:4913
	// "localhost:4803": tcp localhost:4803
	// "4803x": spread: connect "4803x": Illegal spread was provided (-1): "x" follows the port; want "@HOST"
}

// The descriptor the Python module's fileno() returns, for a select or
// epoll loop of one's own: Control hands it over. Poll first, since bytes
// the mailbox has already read no longer show on the socket.
func ExampleMailbox_SyscallConn() {
	d := startDaemon()
	defer d.Close()
	mb, err := spread.Connect(d.SpreadName(), spread.WithName("fd"))
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()

	rc, err := mb.SyscallConn()
	if err != nil {
		log.Fatal(err)
	}
	var fd uintptr
	if err := rc.Control(func(s uintptr) { fd = s }); err != nil {
		log.Fatal(err)
	}
	fmt.Println("descriptor:", fd > 2)
	// Output:
	// descriptor: true
}

// Messages in a range loop: breaking out loses nothing (the next Receive
// gets the next message), and a context that ends is the loop's last
// error, with the mailbox still usable.
func ExampleMailbox_Messages() {
	d := startDaemon()
	defer d.Close()
	mb, err := spread.Connect(d.SpreadName(), spread.WithName("it"))
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
	for _, text := range []string{"one", "two", "three"} {
		if err := mb.Multicast(spread.FIFOMess, mb.PrivateGroup(), []byte(text), 0); err != nil {
			log.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for msg, err := range mb.Messages(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("in the loop:", dataOf(msg))
		if dataOf(msg) == "two" {
			break
		}
	}
	fmt.Println("after the loop:", dataOf(receiveWithin(mb, 5*time.Second)))

	short, cancelShort := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelShort()
	for _, err := range mb.Messages(short) { // nothing more comes
		fmt.Println("the loop ends with:", err)
	}
	// Output:
	// in the loop: one
	// in the loop: two
	// after the loop: three
	// the loop ends with: context deadline exceeded
}

// A client that lost its daemon connects again in rounds, waiting longer
// after each round that reached none, and gives up on a rejection.
func ExampleBackoff_Retry() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	daemons := []string{"4803@10.0.0.1", "4803@10.0.0.2"}
	var mb *spread.Mailbox
	b := spread.Backoff{Wait: 250 * time.Millisecond, MaxWait: 10 * time.Second}
	err := b.Retry(ctx, func() error {
		var err error
		for _, d := range daemons {
			if mb, err = spread.ConnectContext(ctx, d, spread.WithName("app")); err == nil || spread.Rejected(err) {
				break
			}
		}
		return err
	}, nil, func(round int, err error, wait time.Duration) {
		log.Printf("round %d: %v; next in %v", round+1, err, wait)
	})
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Disconnect()
}
