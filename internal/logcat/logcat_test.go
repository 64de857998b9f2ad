package logcat

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestHandlerFiltersByCategory(t *testing.T) {
	var buf bytes.Buffer
	lv := NewLevels(slog.LevelInfo)
	if err := lv.Set("warn,calls=debug"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), lv))
	log.With(Key, "calls").Debug("kept1")
	log.With(Key, "bus").Info("dropped1")
	log.Debug("kept2", Key, "calls")
	log.Info("dropped2", Key, "policy")
	log.Warn("kept3", Key, "policy")
	out := buf.String()
	for _, w := range []string{"kept1", "kept2", "kept3"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %s:\n%s", w, out)
		}
	}
	for _, w := range []string{"dropped1", "dropped2"} {
		if strings.Contains(out, w) {
			t.Errorf("output has %s:\n%s", w, out)
		}
	}
	if got, want := lv.String(), "warn,calls=debug"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// Changing the levels at run time affects existing loggers.
	if err := lv.Set("info"); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	log.With(Key, "bus").Info("now kept")
	if !strings.Contains(buf.String(), "now kept") {
		t.Errorf("after Set(info) bus info dropped")
	}
}

func TestSetBad(t *testing.T) {
	lv := NewLevels(slog.LevelInfo)
	if err := lv.Set("calls=loud"); !errors.Is(err, ErrBadSpec) {
		t.Errorf("Set(calls=loud) = %v, want ErrBadSpec", err)
	}
	if got := lv.String(); got != "info" {
		t.Errorf("after a bad Set, String() = %q, want info", got)
	}
}

// Set never panics, and what it accepts String writes back in a form Set
// reads to the same levels.
func FuzzSet(f *testing.F) {
	for _, s := range []string{"info", "warn,calls=debug", "debug,bus=warn,policy=error", " , x=info", "calls=loud", "=", "a=b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		lv := NewLevels(slog.LevelInfo)
		if err := lv.Set(spec); err != nil {
			return
		}
		again := NewLevels(slog.LevelError)
		if err := again.Set(lv.String()); err != nil {
			t.Fatalf("Set(%q) accepted, but its String %q does not parse: %v", spec, lv.String(), err)
		}
		if again.String() != lv.String() {
			t.Fatalf("round trip of %q: %q then %q", spec, lv.String(), again.String())
		}
	})
}
