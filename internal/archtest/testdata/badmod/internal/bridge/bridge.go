// Package bridge is governed by no rule itself, but what it imports counts
// against the libraries that import it.
package bridge

import "example.com/badmod/iax/y"

// Hello passes on iax's greeting.
func Hello() string { return y.Hello() }
