package modem

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	// ErrClosed reports use of a channel after Close.
	ErrClosed = errors.New("modem: channel closed")
	// ErrLost reports that the port failed under the channel (the modem
	// vanished: its tty was closed, or the socket's peer went away).
	ErrLost = errors.New("modem: the connection to the modem was lost")
	// ErrBadCommand reports a command line the channel refuses to send.
	ErrBadCommand = errors.New("modem: bad command")
	// ErrTimeout matches every *TimeoutError.
	ErrTimeout = errors.New("modem: no answer")
	// ErrError matches a *ResultError whose result is ERROR.
	ErrError = errors.New("modem: ERROR")
	// ErrCME matches a *ResultError whose result is +CME ERROR.
	ErrCME = errors.New("modem: +CME ERROR")
	// ErrCMS matches a *ResultError whose result is +CMS ERROR.
	ErrCMS = errors.New("modem: +CMS ERROR")
	// ErrNoCarrier matches a dial ended by NO CARRIER.
	ErrNoCarrier = errors.New("modem: NO CARRIER")
	// ErrBusy matches a dial ended by BUSY.
	ErrBusy = errors.New("modem: BUSY")
	// ErrNoAnswer matches a dial ended by NO ANSWER.
	ErrNoAnswer = errors.New("modem: NO ANSWER")
	// ErrNoDialtone matches a dial ended by NO DIALTONE.
	ErrNoDialtone = errors.New("modem: NO DIALTONE")
	// ErrSyntax reports a result line that does not parse.
	ErrSyntax = errors.New("modem: malformed line")
)

// ResultError is a command's final result other than OK or CONNECT.
type ResultError struct {
	// Command is the command line as the trace shows it (Redact).
	Command string
	// Result is the final result line: "ERROR", "+CME ERROR: 16",
	// "NO CARRIER", ...
	Result string
	// Code is the number of a +CME or +CMS ERROR, -1 when the result has
	// none (or gives text instead).
	Code int
	// Lines are the lines that came before the result.
	Lines []string
}

func (e *ResultError) Error() string {
	s := fmt.Sprintf("modem: %s: %s", e.Command, e.Result)
	var what string
	switch e.kind() {
	case ErrCME:
		what = CMEText(e.Code)
	case ErrCMS:
		what = CMSText(e.Code)
	}
	if what != "" {
		s += " (" + what + ")"
	}
	return s
}

// Is makes errors.Is match the sentinel of the result's kind.
func (e *ResultError) Is(target error) bool { return target == e.kind() }

func (e *ResultError) kind() error {
	r := strings.ToUpper(e.Result)
	switch {
	case strings.HasPrefix(r, "+CME ERROR"):
		return ErrCME
	case strings.HasPrefix(r, "+CMS ERROR"):
		return ErrCMS
	case r == "NO CARRIER":
		return ErrNoCarrier
	case r == "BUSY":
		return ErrBusy
	case r == "NO ANSWER":
		return ErrNoAnswer
	case r == "NO DIALTONE":
		return ErrNoDialtone
	}
	return ErrError
}

// CMECode returns the +CME ERROR number err carries, if it is one.
func CMECode(err error) (int, bool) {
	var re *ResultError
	if errors.As(err, &re) && re.kind() == ErrCME && re.Code >= 0 {
		return re.Code, true
	}
	return 0, false
}

// TimeoutError is a command that got no final result in time: the modem
// is silent, busy with something slow, or was reset while it ran.
type TimeoutError struct {
	// Command is the command line as the trace shows it (Redact).
	Command string
	// After is how long the channel waited.
	After time.Duration
	// Probe is true when the command was never sent: the bare AT that
	// checks the modem after an earlier timeout went unanswered.
	Probe bool
	// Err is the context's error when the context's deadline ended the
	// wait, else nil.
	Err error
}

func (e *TimeoutError) Error() string {
	if e.Probe {
		return fmt.Sprintf("modem: %s not sent: the modem did not answer AT within %v after an earlier timeout "+
			"(is it powered and on this port?)", e.Command, e.After)
	}
	return fmt.Sprintf("modem: %s: no final result within %v: the modem is silent or was reset", e.Command, e.After)
}

// Is makes errors.Is match ErrTimeout.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the context's error, if the context ended the wait.
func (e *TimeoutError) Unwrap() error { return e.Err }
