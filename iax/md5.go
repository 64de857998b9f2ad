package iax

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
)

// md5Answer is the MD5 authentication answer (RFC 5456 §6.2): the lower
// case hex MD5 digest of the challenge followed by the secret.
func md5Answer(challenge, secret string) string {
	sum := md5.Sum([]byte(challenge + secret))
	return hex.EncodeToString(sum[:])
}

// md5Check compares an answer in constant time.
func md5Check(challenge, secret, answer string) bool {
	want := md5Answer(challenge, secret)
	return subtle.ConstantTimeCompare([]byte(want), []byte(answer)) == 1
}
