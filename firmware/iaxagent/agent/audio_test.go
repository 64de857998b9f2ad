package agent

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/internal/callaudio"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/telephony"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

var audioPath = vs.Join(telephony.InterfacePath(telephony.CallProviderInterface, ServiceName), telephony.KeyAudio)

// watchAudio sends every batch's view of the published audio, keyed by
// the key below audioPath; an empty map is its removal.
func (r *rig) watchAudio() <-chan map[string]vs.Value {
	r.t.Helper()
	ch := make(chan map[string]vs.Value, 256)
	cur := map[string]vs.Value{}
	if _, err := r.bus.Subscribe(r.ctx, audioPath, func(b vs.Batch) {
		for _, c := range b.Changes {
			key, ok := strings.CutPrefix(c.Path, audioPath+"/")
			switch {
			case c.Path == audioPath && c.Removed:
				cur = map[string]vs.Value{}
			case !ok:
			case c.Removed:
				delete(cur, key)
			default:
				cur[key] = c.Value
			}
		}
		snap := make(map[string]vs.Value, len(cur))
		for k, v := range cur {
			snap[k] = v
		}
		ch <- snap
	}); err != nil {
		r.t.Fatal(err)
	}
	return ch
}

// waitAudio waits for a view of the audio that ok accepts, and returns it.
func (r *rig) waitAudio(ch <-chan map[string]vs.Value, what string, ok func(map[string]vs.Value) bool) map[string]vs.Value {
	r.t.Helper()
	var last map[string]vs.Value
	for {
		select {
		case m := <-ch:
			last = m
			if ok(m) {
				return m
			}
		case <-r.ctx.Done():
			r.t.Fatalf("the published audio never %s; last seen %v", what, last)
		}
	}
}

func num(m map[string]vs.Value, key string) int64 {
	n, _ := m[key].Int()
	return n
}

func str(m map[string]vs.Value, key string) string {
	s, _ := m[key].Str()
	return s
}

func nullAudio(src, sink string) DeviceAudio {
	return DeviceAudio{Open: callaudio.Device{Devices: audio.NewDevices(clock.Real()), Source: src, Sink: sink}}
}

// A connected call publishes its audio counters, which grow while the
// echo extension sends back what the handset sends, and which vanish at
// hangup.
func TestCallAudioCountersPublished(t *testing.T) {
	p := startPeer(t, "127.0.0.1:0")
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{Audio: nullAudio("null", "null"), AudioRefresh: 40 * time.Millisecond})
	audioCh := r.watchAudio()
	r.waitReg(telephony.RegistrationHome)
	id := r.dial("600")
	r.waitCall(id, telephony.CallConnected)
	first := r.waitAudio(audioCh, "named the call", func(m map[string]vs.Value) bool { return str(m, telephony.KeyAudioCall) == id })
	if d := str(first, telephony.KeyAudioDevice); d != "null" {
		t.Errorf("device = %q, want null", d)
	}
	for _, k := range []string{telephony.KeyAudioSent, telephony.KeyAudioReceived, telephony.KeyAudioLost, telephony.KeyAudioLate,
		telephony.KeyAudioConcealed, telephony.KeyAudioUnderruns, telephony.KeyAudioJitterBufferMs, telephony.KeyAudioDelayMs} {
		if _, ok := first[k]; !ok {
			t.Errorf("the published audio lacks %q: %v", k, first)
		}
	}
	grown := r.waitAudio(audioCh, "counted frames sent and received", func(m map[string]vs.Value) bool {
		return num(m, telephony.KeyAudioSent) >= 10 && num(m, telephony.KeyAudioReceived) >= 5
	})
	r.waitAudio(audioCh, "grew again", func(m map[string]vs.Value) bool {
		return num(m, telephony.KeyAudioSent) > num(grown, telephony.KeyAudioSent) &&
			num(m, telephony.KeyAudioReceived) > num(grown, telephony.KeyAudioReceived)
	})
	if err := r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	r.waitCall(id, telephony.CallHangupLocal)
	r.waitAudio(audioCh, "vanished after hangup", func(m map[string]vs.Value) bool { return len(m) == 0 })
	if v, ok, err := r.bus.Get(r.ctx, vs.Join(audioPath, telephony.KeyAudioSent)); err != nil || ok {
		t.Errorf("after hangup %s/sent = %v, %v, %v; want it removed", audioPath, v, ok, err)
	}
}

// A device that will not open leaves the call on the null device: the
// published device says why, and the log says so once for the call, not
// again when the call is held and taken back.
func TestCallAudioFallsBackToNullOnce(t *testing.T) {
	var logs proctest.Buffer
	p := startPeer(t, "127.0.0.1:0")
	missing := "wav:" + t.TempDir() + "/no-such-microphone.wav"
	r := newRig(t, settingsFor(p, "handset1", "s3cret"), Options{
		Audio: nullAudio(missing, "null"), AudioRefresh: 40 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	audioCh := r.watchAudio()
	r.waitReg(telephony.RegistrationHome)
	id := r.dial("600")
	r.waitCall(id, telephony.CallConnected)
	m := r.waitAudio(audioCh, "named the call", func(m map[string]vs.Value) bool { return str(m, telephony.KeyAudioCall) == id })
	want := fmt.Sprintf("null (%s not available: ", missing)
	if d := str(m, telephony.KeyAudioDevice); !strings.HasPrefix(d, want) || !strings.Contains(d, "no-such-microphone.wav") {
		t.Errorf("device = %q, want it to start %q and say which file is missing", d, want)
	}
	r.waitAudio(audioCh, "counted frames received on the null device", func(m map[string]vs.Value) bool {
		return num(m, telephony.KeyAudioReceived) > 0
	})

	// Hold and take back: the audio starts again, and fails again,
	// without another log line.
	if err := r.mgr.Hold(r.ctx, ServiceName, id); err != nil {
		t.Fatal(err)
	}
	r.waitCall(id, telephony.CallHold)
	r.waitAudio(audioCh, "vanished on hold", func(m map[string]vs.Value) bool { return len(m) == 0 })
	if err := r.mgr.Activate(r.ctx, ServiceName, id, telephony.ScopeCallOnly); err != nil {
		t.Fatal(err)
	}
	r.waitCall(id, telephony.CallConnected)
	r.waitAudio(audioCh, "came back after activate", func(m map[string]vs.Value) bool {
		return strings.HasPrefix(str(m, telephony.KeyAudioDevice), want)
	})
	r.mgr.Hangup(r.ctx, ServiceName, id, telephony.ScopeCallOnly)
	r.waitCall(id, telephony.CallHangupLocal)
	r.waitAudio(audioCh, "vanished after hangup", func(m map[string]vs.Value) bool { return len(m) == 0 })

	if n := strings.Count(logs.String(), "call audio on the null device"); n != 1 {
		t.Errorf("the log says %d times that the call fell back to the null device, want once:\n%s", n, logs.String())
	}
}
