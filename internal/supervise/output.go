package supervise

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"unicode/utf8"
)

// cutMarker ends a line that was longer than the limit: the bytes kept
// and the line's whole length.
const cutMarker = " [line cut: %d of %d bytes kept]"

// readLines reads r to its end and calls emit with every line, without its
// newline (or "\r\n"). A line longer than max bytes is cut to max (at a
// UTF-8 boundary) and marked with cutMarker; the rest of it is read and
// dropped, so however long a line is, reading goes on and never holds
// more than max bytes of it. A last line without a newline is emitted
// too. A read deadline that passes (set once the program exited) ends the
// reading like the end of input.
func readLines(r io.Reader, max int, emit func(string)) error {
	br := bufio.NewReaderSize(r, 4096)
	var line []byte
	total := 0 // length of the line so far, kept or not
	flush := func() {
		if len(line) > 0 && line[len(line)-1] == '\r' && total == len(line) {
			line, total = line[:len(line)-1], total-1
		}
		if total > len(line) {
			line = cutUTF8(line)
			emit(string(line) + fmt.Sprintf(cutMarker, len(line), total))
		} else {
			emit(string(line))
		}
		line, total = line[:0], 0
	}
	for {
		frag, err := br.ReadSlice('\n')
		ended := err == nil
		if ended {
			frag = frag[:len(frag)-1]
		}
		total += len(frag)
		if room := max - len(line); room > 0 {
			line = append(line, frag[:min(room, len(frag))]...)
		}
		switch {
		case ended:
			flush()
		case errors.Is(err, bufio.ErrBufferFull):
		default:
			if total > 0 {
				flush()
			}
			if err == io.EOF || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return err
		}
	}
}

// cutUTF8 drops a rune the cut left incomplete at the end of b.
func cutUTF8(b []byte) []byte {
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// ring keeps the most recent lines of output within a number of lines and
// of bytes, for the report of a crash (gokrazy keeps a supervised
// program's recent output the same way).
type ring struct {
	maxLines, maxBytes int

	mu    sync.Mutex
	lines []string
	bytes int
}

func newRing(lines, bytes int) *ring { return &ring{maxLines: lines, maxBytes: bytes} }

// add keeps line, dropping the oldest lines to stay within the bounds; a
// line longer than the byte bound alone is cut to it.
func (r *ring) add(line string) {
	if len(line) > r.maxBytes {
		line = string(cutUTF8([]byte(line[:r.maxBytes])))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.lines) > 0 && (len(r.lines) >= r.maxLines || r.bytes+len(line) > r.maxBytes) {
		r.bytes -= len(r.lines[0])
		r.lines[0] = ""
		r.lines = r.lines[1:]
	}
	r.lines = append(r.lines, line)
	r.bytes += len(line)
}

// last returns the kept lines, oldest first.
func (r *ring) last() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}
