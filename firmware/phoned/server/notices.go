package server

import (
	"fmt"
	"io"

	"github.com/ringo-phone/ringo/telephony"
)

// notifier writes one-line notices for the person at the console (an
// incoming call) on a goroutine of its own, so a console that blocks (a
// serial line under flow control) never holds phoned up: a notice that
// finds the queue full is dropped.
type notifier struct {
	q    chan string
	done chan struct{}
}

func newNotifier(w io.Writer) *notifier {
	if w == nil {
		return nil
	}
	n := &notifier{q: make(chan string, 16), done: make(chan struct{})}
	go func() {
		defer close(n.done)
		for line := range n.q {
			io.WriteString(w, line)
		}
	}()
	return n
}

// say queues a notice; nil notifiers say nothing.
func (n *notifier) say(line string) {
	if n == nil {
		return
	}
	select {
	case n.q <- line:
	default:
	}
}

// close ends the writer after the queued notices.
func (n *notifier) close() {
	if n == nil {
		return
	}
	close(n.q)
	<-n.done
}

// incomingNotice is the line printed for a new incoming call. Text from the
// network is made printable: a caller id cannot drive the terminal.
func incomingNotice(c telephony.CallInfo) string {
	who := telephony.Printable(c.Number, telephony.MaxNumberLen)
	if c.Name != "" {
		who += " (" + telephony.Printable(c.Name, telephony.MaxNameLen) + ")"
	}
	return fmt.Sprintf("\r\nringo: incoming call from %s on %s — phonectl answer, or phonectl hangup to reject\r\n",
		who, c.Service)
}
