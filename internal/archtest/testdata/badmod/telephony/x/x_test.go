package x

import (
	"testing"

	"example.com/badmod/firmware/p"
)

func TestRun(t *testing.T) { p.Run(nil) }
