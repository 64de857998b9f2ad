package iax

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// tokenLifetime is how long a calltoken stays valid.
const tokenLifetime = 10 * time.Second

// tokenIssuer hands out and checks calltokens in Asterisk's shape,
// "<unix seconds>?<hex HMAC-SHA1>", bound to the peer's address. The
// client treats them as opaque.
type tokenIssuer struct {
	key []byte
	clk Clock
}

func newTokenIssuer(key []byte, clk Clock) *tokenIssuer {
	return &tokenIssuer{key: key, clk: clk}
}

func (t *tokenIssuer) mac(peer netip.AddrPort, stamp string) string {
	m := hmac.New(sha1.New, t.key)
	m.Write([]byte(peer.String()))
	m.Write([]byte{'?'})
	m.Write([]byte(stamp))
	return hex.EncodeToString(m.Sum(nil))
}

func (t *tokenIssuer) issue(peer netip.AddrPort) string {
	stamp := strconv.FormatInt(t.clk.Now().Unix(), 10)
	return stamp + "?" + t.mac(peer, stamp)
}

func (t *tokenIssuer) valid(peer netip.AddrPort, tok string) bool {
	stamp, sum, ok := strings.Cut(tok, "?")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return false
	}
	age := t.clk.Now().Sub(time.Unix(sec, 0))
	if age < -time.Second || age > tokenLifetime {
		return false
	}
	return hmac.Equal([]byte(sum), []byte(t.mac(peer, stamp)))
}
