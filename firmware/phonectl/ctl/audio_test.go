package ctl

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// status shows the active call's audio as its service publishes it: a
// line under the live calls and the -json "audio" object, {} when no
// call has audio.
func TestStatusCallAudio(t *testing.T) {
	p := startPhone(t, "")
	js := p.mustCtl("-json", "status")
	if m := checkNoNulls(t, js); m["audio"] == nil || len(m["audio"].(map[string]any)) != 0 {
		t.Errorf("status -json audio with no call audio = %v, want {}:\n%s", m["audio"], js)
	}
	if out := p.mustCtl("status"); strings.Contains(out, "audio of") {
		t.Errorf("status shows call audio when there is none:\n%s", out)
	}

	c := p.incoming("2001", "Desk")
	base := vs.Join(telephony.InterfacePath(telephony.CallProviderInterface, "asterisk"), telephony.KeyAudio)
	device := "null (PulseAudio not available: no socket\x1b[2J)"
	set := func(key string, v vs.Value) vs.Op { return vs.SetOp(vs.Join(base, key), v) }
	if err := p.c.Apply(context.Background(),
		set(telephony.KeyAudioCall, vs.String(c.ID())), set(telephony.KeyAudioDevice, vs.String(device)),
		set(telephony.KeyAudioSent, vs.Int(4100)), set(telephony.KeyAudioReceived, vs.Int(4098)),
		set(telephony.KeyAudioLost, vs.Int(2)), set(telephony.KeyAudioLate, vs.Int(1)),
		set(telephony.KeyAudioConcealed, vs.Int(3)), set(telephony.KeyAudioUnderruns, vs.Int(4)),
		set(telephony.KeyAudioJitterBufferMs, vs.Int(60)), set(telephony.KeyAudioDelayMs, vs.Int(80)),
		set(telephony.KeyAudioEncrypted, vs.Bool(true)),
	); err != nil {
		t.Fatal(err)
	}
	out := p.mustCtl("status")
	re := regexp.MustCompile(`(?m)^  audio of ` + c.ID() + ` on ` + regexp.QuoteMeta(`null (PulseAudio not available: no socket\x1b[2J)`) +
		`, encrypted \(AES-128\): sent 4100, received 4098 \(lost 2, late 1, concealed 3\), underruns 4, jitter buffer 60 ms, delay 80 ms$`)
	if !re.MatchString(out) {
		t.Errorf("status =\n%s\nwant it to match %s", out, re)
	}
	js = p.mustCtl("-json", "status")
	checkNoNulls(t, js)
	var st Status
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatal(err)
	}
	want := CallAudio{Service: "asterisk", Call: c.ID(), Device: device, Sent: 4100, Received: 4098, Lost: 2, Late: 1,
		Concealed: 3, Underruns: 4, JitterBufferMs: 60, DelayMs: 80, Encrypted: true}
	if st.Audio != want {
		t.Errorf("status -json audio = %+v, want %+v", st.Audio, want)
	}
}
