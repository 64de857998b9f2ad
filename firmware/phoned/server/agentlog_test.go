package server

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// render writes r as phoned's text handler does and parses it back.
func render(t *testing.T, r slog.Record) (string, []attr) {
	t.Helper()
	var b bytes.Buffer
	if err := slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}).Handle(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSuffix(b.String(), "\n")
	attrs, ok := parseSlogText(line)
	if !ok {
		t.Fatalf("phoned's own record %q does not parse", line)
	}
	return line, attrs
}

func count(attrs []attr, key string) (n int, value string) {
	for _, a := range attrs {
		if a.key == key {
			n++
			value = a.value
		}
	}
	return n, value
}

// An agent's slog record becomes one record of phoned's: the agent's
// level, message and attributes, its category kept, program added, no key
// twice.
func TestAgentRecordKeepsAgentAttrs(t *testing.T) {
	var b bytes.Buffer
	agentLog := slog.New(slog.NewTextHandler(&b, nil)).With("category", "voip")
	agentLog.Warn("registration state", "state", "Home", "server", "10.0.2.2:4569", "note", `say "hi" = x`)
	// The agent's own duplicate (the example) and a program of
	// its own.
	line := strings.TrimSuffix(b.String(), "\n") + " category=voip program=iaxagent"

	out, attrs := render(t, agentRecord(time.Unix(1e9, 0), "iaxagent", line))
	for key, want := range map[string]string{"category": "voip", "program": "iaxagent", "level": "WARN",
		"msg": "registration state", "state": "Home", "server": "10.0.2.2:4569", "note": `say "hi" = x`} {
		if n, v := count(attrs, key); n != 1 || v != want {
			t.Errorf("%s appears %d times (last %q) in %s; want once, %q", key, n, v, out, want)
		}
	}
	if n, v := count(attrs, "time"); n != 1 || !strings.HasPrefix(v, "2001-09-09T01:46:40") {
		t.Errorf("time appears %d times in %s, want once (phoned's; the agent's is dropped)", n, out)
	}
	if !strings.HasSuffix(out, ` msg="registration state" category=voip state=Home server=10.0.2.2:4569 note="say \"hi\" = x" program=iaxagent`) {
		t.Errorf("record = %s; want the agent's attributes in its order, then program", out)
	}
}

func TestAgentRecord(t *testing.T) {
	now := time.Unix(1e9, 0)
	for _, tc := range []struct {
		line string
		want string // the rendered record after its time
	}{
		// Plain lines are the message (the lifecycle test reads these).
		{"Telephony::start received", `level=INFO msg="Telephony::start received" category=agent program=prog`},
		{"", `level=INFO msg="" category=agent program=prog`},
		// A record without a category gets the agent's.
		{`time=2026-01-02T03:04:05.000Z level=DEBUG msg=hello n=5`, `level=DEBUG msg=hello n=5 category=agent program=prog`},
		{`level=INFO+2 msg="a b"`, `level=INFO+2 msg="a b" category=agent program=prog`},
		// Another program's name is kept, under its own key.
		{`level=INFO msg=x program=other`, `level=INFO msg=x agentProgram=other category=agent program=prog`},
		// Not slog text: a bad level, no msg, a broken quote, a cut line.
		{`level=LOUD msg=x`, `level=INFO msg="level=LOUD msg=x" category=agent program=prog`},
		{`level=INFO state=Home`, `level=INFO msg="level=INFO state=Home" category=agent program=prog`},
		{`level=INFO msg="unterminated`, `level=INFO msg="level=INFO msg=\"unterminated" category=agent program=prog`},
		{`level=INFO msg=x [line cut: 3 of 9 bytes kept]`, `level=INFO msg="level=INFO msg=x [line cut: 3 of 9 bytes kept]" category=agent program=prog`},
	} {
		out, _ := render(t, agentRecord(now, "prog", tc.line))
		_, got, _ := strings.Cut(out, " ")
		if got != tc.want {
			t.Errorf("agentRecord(%q) = %s\nwant %s", tc.line, got, tc.want)
		}
	}
}

// Any line gives one record that phoned's handler writes as slog text,
// with no key twice and program once; a line that is not slog text is
// the message as it was.
func FuzzAgentRecord(f *testing.F) {
	for _, s := range []string{
		`time=2026-01-02T03:04:05.000Z level=INFO msg="registration state" category=voip category=voip state=Home`,
		`level=WARN msg=x "odd key"=1 k="a\"b"`, "plain words", `a=`, `="x"`, `k="\x"`, `level=INFO msg=`, "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r := agentRecord(time.Unix(1e9, 0), "prog", line)
		out, attrs := render(t, r)
		seen := map[string]bool{}
		for _, a := range attrs {
			if seen[a.key] {
				t.Fatalf("key %q twice in %s", a.key, out)
			}
			seen[a.key] = true
		}
		if n, v := count(attrs, "program"); n != 1 || v != "prog" {
			t.Fatalf("program %d times (%q) in %s", n, v, out)
		}
		if _, ok := parseSlogText(line); !ok && r.Message != line {
			t.Fatalf("line %q is not slog text but the message is %q", line, r.Message)
		}
	})
}

// What slog's TextHandler writes, parseSlogText reads back.
func FuzzParseSlogText(f *testing.F) {
	f.Add("registration state", "state", "Home")
	f.Add("", "odd key", "a \"b\" = c")
	f.Add("\x00", "k\n", "\xff")
	f.Fuzz(func(t *testing.T, msg, key, value string) {
		if key == "" || key == "time" || key == "level" || key == "msg" {
			return
		}
		var b bytes.Buffer
		slog.New(slog.NewTextHandler(&b, nil)).Info(msg, key, value)
		line := strings.TrimSuffix(b.String(), "\n")
		attrs, ok := parseSlogText(line)
		if !ok {
			t.Fatalf("parseSlogText(%q) failed", line)
		}
		if len(attrs) != 4 || attrs[1] != (attr{"level", "INFO"}) || attrs[2] != (attr{"msg", msg}) || attrs[3] != (attr{key, value}) {
			t.Fatalf("parseSlogText(%q) = %q, want time, level, msg %q, %q=%q", line, attrs, msg, key, value)
		}
	})
}
