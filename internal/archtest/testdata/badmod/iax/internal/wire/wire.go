// Package wire is internal to iax: its types are not iax's public API.
package wire

// Frame is a frame on the wire.
type Frame struct{}
