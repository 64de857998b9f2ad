package iax

import "errors"

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
	ErrNoCallNumbers = errors.New("iax: no free call numbers")
	ErrRejected      = errors.New("iax: rejected by peer")
	ErrDenied        = errors.New("iax: registration denied")
	ErrAuth          = errors.New("iax: authentication failed")
	ErrNoAuthMethod  = errors.New("iax: no acceptable authentication method")
	ErrHangup        = errors.New("iax: call hung up")
	ErrInvalidState  = errors.New("iax: not possible in this call state")
	ErrInvalidCall   = errors.New("iax: peer does not know the call")
	ErrNoCodec       = errors.New("iax: no common codec")
)
