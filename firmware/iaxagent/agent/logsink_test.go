package agent

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pipeWriter takes ok writes, then fails as a pipe whose reader is gone.
type pipeWriter struct {
	ok  int
	buf bytes.Buffer
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	if w.ok == 0 {
		return 0, &os.PathError{Op: "write", Path: "|1", Err: syscall.EPIPE}
	}
	w.ok--
	return w.buf.Write(p)
}

func TestLogSinkGoesToFileWhenStderrFails(t *testing.T) {
	dir := t.TempDir()
	w := &pipeWriter{ok: 1}
	s := newLogSink(w, dir)
	s.now = func() time.Time { return time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC) }
	for _, line := range []string{"one\n", "two\n", "three\n"} {
		if n, err := s.Write([]byte(line)); n != len(line) || err != nil {
			t.Errorf("Write(%q) = %d, %v; want %d, nil", line, n, err, len(line))
		}
	}
	s.Close()
	if got := w.buf.String(); got != "one\n" {
		t.Errorf("standard error got %q, want the line before it failed", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, LogFileName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[1] != "two" || lines[2] != "three" {
		t.Fatalf("the file holds %q, want the notice, two, three", lines)
	}
	for _, want := range []string{"level=WARN", `msg="standard error failed: the log goes on in this file"`, "broken pipe", "file=" + filepath.Join(dir, LogFileName)} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("the file's first line %q lacks %q", lines[0], want)
		}
	}
}

func TestLogSinkFileBounded(t *testing.T) {
	dir := t.TempDir()
	s := newLogSink(&pipeWriter{}, dir)
	s.max = 100
	line := strings.Repeat("x", 39) + "\n"
	for i := 0; i < 10; i++ {
		s.Write([]byte(line))
	}
	s.Close()
	for _, name := range []string{LogFileName, LogFileName + ".1"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 100 || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %d bytes, mode %04o; want at most 100, 0600", name, fi.Size(), fi.Mode().Perm())
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, LogFileName))
	if !strings.HasSuffix(string(b), line) {
		t.Errorf("the file ends %q, want the last line", b)
	}
}

// A file that cannot be opened loses the lines, and the agent goes on.
func TestLogSinkNoFile(t *testing.T) {
	s := newLogSink(&pipeWriter{}, filepath.Join(t.TempDir(), "no-such-dir"))
	if n, err := s.Write([]byte("line\n")); n != 5 || err != nil {
		t.Errorf("Write = %d, %v; want 5, nil", n, err)
	}
	if s.dropped != 2 {
		t.Errorf("dropped = %d, want the notice and the line", s.dropped)
	}
}

// No value makes a line longer than a reader takes: each is cut, saying
// how long it was; short ones are untouched.
func TestLogValuesCut(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{ReplaceAttr: cutLogValue}))
	huge := strings.Repeat("Ä", 35000) // 70,000 bytes
	log.Warn(huge, "number", huge, "err", fmt.Errorf("bad: %w", errors.New(huge)), "short", "600", "n", 7)
	line := b.String()
	if len(line) > 4*maxLogValue+200 {
		t.Errorf("the line is %d bytes, want at most about 4×%d", len(line), maxLogValue)
	}
	for _, want := range []string{"…(70000 bytes)", "…(70005 bytes)", "short=600", "n=7"} {
		if !strings.Contains(line, want) {
			t.Errorf("the line lacks %q: %.200q...", want, line)
		}
	}
	if strings.Contains(line, "\uFFFD") {
		t.Error("a value was cut inside a character")
	}
}
