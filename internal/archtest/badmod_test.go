package archtest

import (
	"strings"
	"testing"
)

// TestCheckBadModule is the test of the test: testdata/badmod is laid out
// like the house and breaks every rule once or more, beside imports and
// identifiers that are allowed. Check must report exactly the breaks, each
// at its line, naming the import or identifier.
func TestCheckBadModule(t *testing.T) {
	requireGo(t)
	found, err := Check("testdata/badmod")
	if err != nil {
		t.Fatalf("Check(testdata/badmod): %v", err)
	}
	want := []struct {
		pos  string
		rule Rule
		test bool
		// names are what the message must name: the import path, or the
		// identifier and the internal type.
		names []string
	}{
		{"drivers/audio/audio.go:6", RuleCrossLibraryImport, false,
			[]string{`imports "example.com/badmod/internal/bridge"`, `brings in "example.com/badmod/iax/y"`, "internal/bridge → iax/y"}},
		{"firmware/p/p.go:7", RuleToolsOnHandset, false, []string{`imports "example.com/badmod/tools/t"`}},
		{"iax/y/y.go:16", RuleInternalInAPI, false, []string{"field Config.Last", "iax/internal/wire.Frame"}},
		{"iax/y/y.go:21", RuleInternalInAPI, false, []string{"method Config.Timer", "internal/clk.Timer", "result 1"}},
		{"iax/y/y.go:24", RuleInternalInAPI, false, []string{"type Clock", "internal/clk.Clock", "alias"}},
		{"iax/y/y.go:27", RuleInternalInAPI, false, []string{"var Default", "internal/clk.Clock"}},
		{"iax/y/y.go:30", RuleInternalInAPI, false, []string{"func Every", "internal/clk.Clock", "type parameter C"}},
		{"iax/y/y.go:36", RuleInternalInAPI, false, []string{"field conn.Frames", "func Open", "iax/internal/wire.Frame"}},
		{"iax/y/y.go:43", RuleInternalInAPI, false, []string{"field Ticker.Timer", "internal/clk.Timer"}},
		{"iax/y/y.go:47", RuleInternalInAPI, false, []string{"type Source", "internal/clk.Clock", "embedded"}},
		{"iax/y/y.go:50", RuleInternalInAPI, false, []string{"method Source.Wire", "iax/internal/wire.Frame"}},
		{"telephony/x/x.go:8", RuleCrossLibraryImport, false, []string{`imports "example.com/badmod/iax/y"`, "telephony never imports iax"}},
		{"telephony/x/x.go:19", RuleInternalInAPI, false, []string{"exported func New", "internal/clk.Clock", "parameter c"}},
		{"telephony/x/x_test.go:6", RuleProgramImport, true, []string{`test imports "example.com/badmod/firmware/p"`}},
	}
	for i := range max(len(found), len(want)) {
		switch {
		case i >= len(want):
			t.Errorf("unexpected violation %s", found[i])
			continue
		case i >= len(found):
			t.Errorf("missing violation at %s: %s naming %q", want[i].pos, want[i].rule, want[i].names)
			continue
		}
		got, w := found[i], want[i]
		if got.Pos != w.pos || got.Rule != w.rule || got.Test != w.test {
			t.Errorf("violation %d = %s (test %v), want at %s: %s (test %v)", i, got, got.Test, w.pos, w.rule, w.test)
			continue
		}
		for _, name := range w.names {
			if !strings.Contains(got.Message, name) {
				t.Errorf("violation %s does not name %q", got, name)
			}
		}
	}
}

// TestViolationString is the line TestHouseRules prints.
func TestViolationString(t *testing.T) {
	v := Violation{Pos: "telephony/x/x.go:8", Rule: RuleCrossLibraryImport, Message: `imports "example.com/badmod/iax/y": why`}
	const want = `telephony/x/x.go:8: cross-library-import: imports "example.com/badmod/iax/y": why`
	if got := v.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
