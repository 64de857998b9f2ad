package archtest

import "testing"

func TestJudge(t *testing.T) {
	const m = "example.com/m"
	tests := []struct {
		from, to string
		want     Rule
	}{
		{"telephony/x", "firmware/phoned/server", RuleProgramImport},
		{"board", "tools/qemu", RuleProgramImport},
		{"iax/internal/pcapng", "tools/iaxcli/cli", RuleProgramImport},
		{"telephony/policy", "iax", RuleCrossLibraryImport},
		{"iax", "drivers/audio", RuleCrossLibraryImport},
		{"drivers/audio", "telephony", RuleCrossLibraryImport},
		{"drivers/audio", "telephony/media", ""},
		{"drivers/audio/pulse", "telephony/media", ""},
		{"drivers/audiox", "telephony/media", RuleCrossLibraryImport},
		{"drivers/radio", "telephony/media", RuleCrossLibraryImport},
		{"drivers/audio", "telephony/media/g711", RuleCrossLibraryImport},
		{"board", "drivers/audio", ""},
		{"telephony/phoneapi", "telephony/bus", ""},
		{"iax", "internal/clock", ""},
		{"firmware/phoned", "tools/iaxpbx/pbx", RuleToolsOnHandset},
		{"firmware/phoned", "iax", ""},
		{"tools/hil", "firmware/phoned/server", ""},
		{"internal/callaudio", "tools/iaxpbx", ""},
	}
	for _, tt := range tests {
		got, why := judge(where(m, m+"/"+tt.from), where(m, m+"/"+tt.to))
		if got != tt.want {
			t.Errorf("judge(%s → %s) = %q (%s), want %q", tt.from, tt.to, got, why, tt.want)
		}
		if (got == "") != (why == "") {
			t.Errorf("judge(%s → %s) = %q with reason %q: a rule needs words and words a rule", tt.from, tt.to, got, why)
		}
	}
}

func TestWhere(t *testing.T) {
	const m = "example.com/m"
	tests := []struct {
		path     string
		layer    layer
		internal bool
	}{
		{m + "/telephony", library, false},
		{m + "/iax/internal/pcapng", library, true},
		{m + "/drivers/audio/audiotest", library, false},
		{m + "/firmware/phoned/internal/testagent", program, true},
		{m + "/tools/iaxcli", program, false},
		{m + "/internal/clock", other, true},
		{m + "/internalfoo", other, false},
		{m, other, false},
		{"example.com/mx/telephony", other, false},
		{"golang.org/x/tools/internal/gcimporter", other, false},
	}
	for _, tt := range tests {
		p := where(m, tt.path)
		if p.layer != tt.layer || p.internal != tt.internal {
			t.Errorf("where(%s) = layer %d internal %v, want layer %d internal %v", tt.path, p.layer, p.internal, tt.layer, tt.internal)
		}
	}
}
