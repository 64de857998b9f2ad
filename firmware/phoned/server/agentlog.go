package server

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/internal/logcat"
)

// attr is one key=value pair of a line in slog's text format.
type attr struct{ key, value string }

// parseSlogText reads line as log/slog's TextHandler writes a record:
// key=value pairs separated by spaces, a key or a value in Go quotes
// (strconv.Quote) when it has to be. It is tolerant — a bare value runs
// to the next space, '=' included — and ok is false when a pair does not
// parse at all. It never panics on any input.
func parseSlogText(line string) (attrs []attr, ok bool) {
	s := line
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return attrs, len(attrs) > 0
		}
		key, rest, ok := slogToken(s, " =")
		if !ok || key == "" || !strings.HasPrefix(rest, "=") {
			return nil, false
		}
		value, rest, ok := slogToken(rest[1:], " ")
		if !ok || (rest != "" && rest[0] != ' ') {
			return nil, false
		}
		attrs = append(attrs, attr{key, value})
		s = rest
	}
}

// slogToken reads a quoted string, or a bare word up to one of stop.
func slogToken(s, stop string) (tok, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		end := strings.IndexAny(s, stop)
		if end < 0 {
			end = len(s)
		}
		return s[:end], s[end:], true
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			u, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", "", false
			}
			return u, s[i+1:], true
		}
	}
	return "", "", false
}

// agentRecord is the one record phoned logs for a line an agent printed.
//
// A line in slog's text format becomes the agent's own record: its level,
// its message, its attributes in its order, then program=<program>. No key
// appears twice: the agent's first value of a key wins (so the agent's
// category is kept); category=agent is added only when the agent gave
// none; an agent's own "program" is dropped when it says the same and
// kept as agentProgram when it does not. The agent's time is dropped:
// phoned reads the line as the agent writes it, so the record's own time
// differs from it only by the pipe's latency, and a record has one time.
//
// Any other line is the message of an INFO record with category=agent and
// program=<program>.
func agentRecord(now time.Time, program, line string) slog.Record {
	attrs, ok := parseSlogText(line)
	var level slog.Level
	var msg string
	var haveLevel, haveMsg bool
	for _, a := range attrs {
		switch {
		case a.key == slog.LevelKey && !haveLevel:
			haveLevel = level.UnmarshalText([]byte(a.value)) == nil
		case a.key == slog.MessageKey && !haveMsg:
			msg, haveMsg = a.value, true
		}
	}
	if !ok || !haveLevel || !haveMsg {
		r := slog.NewRecord(now, slog.LevelInfo, line, 0)
		r.AddAttrs(slog.String(logcat.Key, "agent"), slog.String("program", program))
		return r
	}
	r := slog.NewRecord(now, level, msg, 0)
	seen := map[string]bool{slog.TimeKey: true, slog.LevelKey: true, slog.MessageKey: true, "program": true}
	for _, a := range attrs {
		if a.key == "program" && a.value != program && !seen["agentProgram"] {
			seen["agentProgram"] = true
			r.AddAttrs(slog.String("agentProgram", a.value))
		}
		if seen[a.key] {
			continue
		}
		seen[a.key] = true
		r.AddAttrs(slog.String(a.key, a.value))
	}
	if !seen[logcat.Key] {
		r.AddAttrs(slog.String(logcat.Key, "agent"))
	}
	r.AddAttrs(slog.String("program", program))
	return r
}

// logAgentLine logs a line of an agent's output as its one record.
func logAgentLine(h slog.Handler, program, line string) {
	r := agentRecord(time.Now(), program, line)
	if ctx := context.Background(); h.Enabled(ctx, r.Level) {
		h.Handle(ctx, r)
	}
}
