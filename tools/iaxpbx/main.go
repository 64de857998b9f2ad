// Command iaxpbx is the embedded IAX2 peer for demos and tests: a
// registrar with an echo (600), a 1004 Hz tone (601), a recorder (602),
// a DTMF sender (100), and calls between its users. It logs one line per
// event on standard output. Its logic is pbx.Main (tools/iaxpbx/pbx); see
// docs/iax.md.
//
//	iaxpbx -config iaxpbx.conf
//	iaxpbx -listen 127.0.0.1:4569 -user handset1:s3cret:201 -user fax:pw -no-calltoken fax
package main

import (
	"os"

	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/tools/iaxpbx/pbx"
)

func main() { command.Main(pbx.Main, os.Interrupt) }
