// Package version holds the version string stamped into every Ringo binary
// at build time by the Makefile:
//
//	-ldflags "-X github.com/ringo-phone/ringo/internal/version.Version=v0.1.0-3-gabcdef"
package version

// Version is the build's version; "dev" when built without the Makefile.
var Version = "dev"
