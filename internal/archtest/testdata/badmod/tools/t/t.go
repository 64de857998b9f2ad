// Package t is a host tool.
package t

// Help helps.
func Help() {}
