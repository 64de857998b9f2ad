package agent

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

// The agent's log output. phoned reads the agent's standard error through
// a pipe; if phoned closes it (it gave up on a line, or is going away),
// the agent must not die of it: Main ignores SIGPIPE, so the write fails
// with EPIPE instead, and from then on the lines go to a file under the
// runtime directory. Every value in a line is cut at maxLogValue, so that
// no line the agent writes comes near the 64 KiB a reader may take.

// Log file limits.
const (
	// LogFileName is the file, in the runtime directory, that the log
	// goes to once standard error fails.
	LogFileName = Program + ".log"
	// maxLogFile bounds the file: beyond it, it is renamed with ".1"
	// (replacing the previous one) and begun again.
	maxLogFile = 256 << 10
	// maxLogValue bounds each value (and the message) of a log line, in
	// bytes.
	maxLogValue = 2048
)

// logSink writes log lines to w (standard error) until a write to it
// fails, then to the file at path. It never fails itself: a line that
// cannot be written anywhere is dropped. Write is called by one slog
// handler, under its lock, one line at a time; logSink has no lock of its
// own.
type logSink struct {
	w    io.Writer
	path string
	max  int64 // maxLogFile, smaller in tests
	now  func() time.Time

	failed  error // why w failed; nil while it works
	f       *os.File
	size    int64
	dropped int // lines lost because the file would not open
}

func newLogSink(w io.Writer, runtimeDir string) *logSink {
	return &logSink{w: w, path: filepath.Join(runtimeDir, LogFileName), max: maxLogFile, now: time.Now}
}

// Write writes one log line.
func (s *logSink) Write(p []byte) (int, error) {
	if s.failed == nil {
		_, err := s.w.Write(p)
		if err == nil {
			return len(p), nil
		}
		s.failed = err
		s.writeFile([]byte(fmt.Sprintf("time=%s level=WARN msg=%q category=voip err=%q file=%s\n",
			s.now().Format(time.RFC3339Nano), "standard error failed: the log goes on in this file",
			err.Error(), s.path)))
	}
	s.writeFile(p)
	return len(p), nil
}

// writeFile appends p to the file (a previous run's lines stay), opening
// it, or beginning it again once it would pass max, as needed.
func (s *logSink) writeFile(p []byte) {
	if s.f != nil && s.size+int64(len(p)) > s.max {
		s.f.Close()
		s.f = nil
		os.Rename(s.path, s.path+".1")
	}
	if s.f == nil {
		f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			s.dropped++
			return
		}
		s.f, s.size = f, 0
		if fi, err := f.Stat(); err == nil {
			s.size = fi.Size()
		}
	}
	n, _ := s.f.Write(p)
	s.size += int64(n)
}

// Close closes the file, if the log went there.
func (s *logSink) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// cutLogValue is a slog ReplaceAttr: it cuts string values (and errors
// and Stringers, rendered) longer than maxLogValue bytes, saying how long
// they were.
func cutLogValue(_ []string, a slog.Attr) slog.Attr {
	var s string
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		s = v.String()
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		default:
			return a
		}
	default:
		return a
	}
	if len(s) <= maxLogValue {
		return a
	}
	cut := maxLogValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return slog.String(a.Key, fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s)))
}
