package iax

import (
	"errors"
	"testing"
)

func TestAddAuth(t *testing.T) {
	chal := func(methods uint16) IEs {
		var l IEs
		l.AddUint16(IEAuthMethods, methods)
		l.AddString(IEChallenge, "198346106")
		return l
	}
	for _, tc := range []struct {
		name    string
		methods uint16
		plain   bool
		want    IEType
		err     error
	}{
		{"md5 preferred", AuthMD5 | AuthPlaintext, true, IEMD5Result, nil},
		{"md5 only", AuthMD5, false, IEMD5Result, nil},
		{"plaintext allowed", AuthPlaintext, true, IEPassword, nil},
		{"plaintext refused", AuthPlaintext, false, 0, ErrNoAuthMethod},
		{"rsa only", AuthRSA, true, 0, ErrNoAuthMethod},
	} {
		var out IEs
		err := addAuth(&out, chal(tc.methods), "s3cret", tc.plain)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: addAuth error = %v, want %v", tc.name, err, tc.err)
			continue
		}
		if tc.err != nil {
			if len(out) != 0 {
				t.Errorf("%s: added %v, want nothing", tc.name, out)
			}
			continue
		}
		if len(out) != 1 || out[0].Type != tc.want {
			t.Errorf("%s: added %v, want one %v", tc.name, out, tc.want)
		}
	}
	var out IEs
	addAuth(&out, chal(AuthMD5), "s3cret", false)
	if got := out.String(IEMD5Result); got != "104221039886b493460e82eab66839a5" {
		t.Errorf("MD5 answer = %q, want the answer in the registration capture", got)
	}
	if s := out[0].String(); s != "MD5_RESULT=<hidden>" {
		t.Errorf("IE.String() = %q, want the answer hidden", s)
	}
}

func TestCallTokens(t *testing.T) {
	a := newAsterisk(t, Config{})
	issuer := newTokenIssuer([]byte("key"), a.clk)
	peer := a.addr()
	tok := issuer.issue(peer)
	if !issuer.valid(peer, tok) {
		t.Fatalf("valid(issue()) = false")
	}
	other := peer
	if issuer.valid(netipPortPlusOne(other), tok) {
		t.Errorf("token valid from another address")
	}
	if issuer.valid(peer, tok+"0") || issuer.valid(peer, "x?y") || issuer.valid(peer, "") {
		t.Errorf("tampered token accepted")
	}
	a.clk.Advance(tokenLifetime + 1e9)
	if issuer.valid(peer, tok) {
		t.Errorf("token still valid after %v", tokenLifetime)
	}
}
