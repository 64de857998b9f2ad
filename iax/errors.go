package iax

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Sentinel errors. Functions wrap them with %w and the values that matter;
// test for them with errors.Is.
var (
	// Wire format.
	ErrShortFrame   = errors.New("iax: frame too short")
	ErrNotFullFrame = errors.New("iax: not a full frame")
	ErrNotMiniFrame = errors.New("iax: not a mini frame")
	ErrNotMetaFrame = errors.New("iax: not a meta frame")
	ErrBadIE        = errors.New("iax: malformed information element")
	ErrIETooLong    = errors.New("iax: information element longer than 255 bytes")
	ErrIEMissing    = errors.New("iax: information element missing")
	ErrIELength     = errors.New("iax: information element has the wrong length")
	ErrBadSubclass  = errors.New("iax: subclass cannot be encoded")
	ErrCallNumber   = errors.New("iax: call number out of range")

	// Transport and sessions.
	ErrClosed        = errors.New("iax: endpoint closed")
	ErrTimeout       = errors.New("iax: no answer from peer")
	ErrUnreachable   = errors.New("iax: nothing listening at the peer's address (ICMP port unreachable)")
	ErrNoCallNumbers = errors.New("iax: no free call numbers")
	ErrSetupLimit    = errors.New("iax: too many transactions being set up from one address")
	ErrRejected      = errors.New("iax: rejected by peer")
	ErrDenied        = errors.New("iax: registration denied")
	ErrAuth          = errors.New("iax: authentication failed")
	ErrNoAuthMethod  = errors.New("iax: no acceptable authentication method")
	ErrHangup        = errors.New("iax: call hung up")
	ErrInvalidState  = errors.New("iax: not possible in this call state")
	ErrInvalidCall   = errors.New("iax: peer does not know the call")
	ErrNoCodec       = errors.New("iax: no common codec")
)

// Encryption (crypt.go).
var (
	ErrDecrypt            = errors.New("iax: frame cannot be decrypted")
	ErrNoKey              = errors.New("iax: encrypted frame and no key for it")
	ErrBadEncryption      = errors.New("iax: unknown encryption setting")
	ErrEncryptionRequired = errors.New("the server does not offer AES-128 encryption, and this account requires it")
	ErrCallerUnencrypted  = errors.New("the caller does not offer AES-128 encryption, and this account requires it")
)

// NoAnswerError says that a frame went unacknowledged through all its
// sends. It wraps ErrTimeout.
type NoAnswerError struct {
	// Peer is where the frame was sent.
	Peer netip.AddrPort
	// Frame names it: "REGREQ", "IAX NEW", "IAX PING", ...
	Frame string
	// Tries is how many times it was sent in all (for a registration,
	// over every unanswered attempt in a row); Over is the time from the
	// first send to giving up.
	Tries int
	Over  time.Duration
}

func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("no answer from %v after %d tries over %v (%s not acknowledged)", e.Peer, e.Tries, roundDuration(e.Over), e.Frame)
}

func (e *NoAnswerError) Unwrap() error { return ErrTimeout }

// UnreachableError says that nothing listens at Addr: the kernel reported
// an ICMP port unreachable for a frame sent there. It wraps
// ErrUnreachable.
type UnreachableError struct {
	Addr netip.AddrPort
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("nothing listening at %v (ICMP port unreachable)", e.Addr)
}

func (e *UnreachableError) Unwrap() error { return ErrUnreachable }

// roundDuration keeps what a person reads short: milliseconds below a
// second, tenths of a second above.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
