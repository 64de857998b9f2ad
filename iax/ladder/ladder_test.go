package ladder

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden ladders in testdata/")

// golden is one capture and the ladder kept for it.
type golden struct {
	capture, secret, name string
}

func goldens(t *testing.T) []golden {
	t.Helper()
	files, err := filepath.Glob("../testdata/*.pcapng")
	if err != nil || len(files) != 7 {
		t.Fatalf("Glob = %d files, %v; want the 7 captures", len(files), err)
	}
	var out []golden
	for _, f := range files {
		out = append(out, golden{f, "", strings.TrimSuffix(filepath.Base(f), ".pcapng") + ".txt"})
	}
	aes := "../testdata/aes/call-aes128-601.pcapng"
	return append(out,
		golden{aes, "crypt0", "call-aes128-601.txt"},
		golden{aes, "", "call-aes128-601-no-secret.txt"})
}

func build(t *testing.T, g golden) (*Ladder, string) {
	t.Helper()
	b, err := os.ReadFile(g.capture)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ReadCapture(b)
	if err != nil {
		t.Fatal(err)
	}
	l := Build(ds, Options{Secret: g.secret})
	var text bytes.Buffer
	if err := l.Text(&text, 0); err != nil {
		t.Fatal(err)
	}
	return l, text.String()
}

// The text ladders of every capture are kept in testdata/ (go test
// -update writes them again); every line fits an 80-column console.
func TestGoldenLadders(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			_, text := build(t, g)
			path := filepath.Join("testdata", g.name)
			if *update {
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if text != string(want) {
				t.Errorf("ladder of %s differs from %s:\n%s", g.capture, path, text)
			}
			for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
				if n := len([]rune(line)); n > 79 {
					t.Errorf("line %d is %d characters: %q", i+1, n, line)
				}
			}
		})
	}
}

// textRow is one arrow read back from a text ladder.
type textRow struct {
	time         string
	left, right  int // lifeline columns the arrow spans
	rightward    bool
	label        string
	frames       int    // datagrams it stands for
	name         string // the frame name of its first word
	lost, isNote bool
}

var voiceCount = regexp.MustCompile(`^voice ×(\d+) `)

// readText parses the rows of a text ladder (the lines that start with a
// time), checking that each has one arrow between two lifelines.
var rowLine = regexp.MustCompile(`^ *\d+\.\d{3}  `)

func readText(t *testing.T, text string, parties int) []textRow {
	t.Helper()
	var rows []textRow
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if !rowLine.MatchString(line) {
			continue // legend, header, summary
		}
		rs := []rune(line)
		r := textRow{time: strings.TrimSpace(string(rs[:7]))}
		body := rs[margin:]
		if i := strings.Index(string(body), "* "); i >= 0 && !strings.ContainsRune(string(body), '-') {
			r.isNote, r.label = true, strings.TrimSpace(string(body))[2:]
			rows = append(rows, r)
			continue
		}
		start, end := -1, -1
		for i, c := range body {
			if c == '|' {
				if start < 0 && i+1 < len(body) && strings.ContainsRune("<-x", body[i+1]) {
					start = i
				} else if start >= 0 && end < 0 && i > start+1 {
					end = i
				}
			}
		}
		if start < 0 || end < 0 {
			t.Fatalf("no arrow in %q", line)
		}
		arrow := body[start+1 : end]
		r.left, r.right = margin+start, margin+end
		r.rightward = arrow[len(arrow)-1] == '>' || arrow[len(arrow)-1] == 'x'
		r.lost = arrow[0] == 'x' || arrow[len(arrow)-1] == 'x'
		r.label = strings.Trim(string(arrow), "-<>x")
		switch m := voiceCount.FindStringSubmatch(r.label); {
		case r.lost:
		case m != nil:
			r.frames, _ = strconv.Atoi(m[1])
			r.name = "VOICE"
		default:
			r.frames = 1
			f := strings.Fields(r.label)
			r.name = strings.ToUpper(f[0])
			if r.name == "DTMF" && len(f) >= 3 {
				r.name = "DTMF_" + strings.ToUpper(strings.TrimSuffix(f[2], "…"))
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// sharkFrame is one frame of tshark's own list.
type sharkFrame struct {
	name    string
	srcCall string
}

// tsharkFrames runs tshark on a capture and names each IAX2 frame as the
// ladder does: the IAX command or control, VOICE for full and mini voice
// frames, DTMF_BEGIN / DTMF_END, TEXT.
func tsharkFrames(t *testing.T, tshark, capture string) []sharkFrame {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), tshark, "-r", capture, "-d", "udp.port==4569,iax2",
		"-T", "fields", "-E", "separator=|", "-e", "iax2.src_call", "-e", "_ws.col.Info")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var fs []sharkFrame
	for _, row := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		src, info, _ := strings.Cut(row, "|")
		name := "?"
		kind, rest, _ := strings.Cut(info, ",")
		switch kind {
		case "IAX", "Control":
			if i := strings.Index(rest, "ms "); i >= 0 {
				name = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(rest[i+3:]), " ", "_"))
			}
		case "Voice", "Mini packet":
			name = "VOICE"
		case "DTMF Begin":
			name = "DTMF_BEGIN"
		case "DTMF End":
			name = "DTMF_END"
		case "Text":
			name = "TEXT"
		}
		fs = append(fs, sharkFrame{name, src})
	}
	return fs
}

// Each golden ladder against tshark's own list of the same frames: as
// many, in the same order, with the same names. The text is read back
// (each frame row one frame, each voice row as many as it counts) and so
// is the ladder's model (one entry per datagram). For the encrypted
// call, tshark cannot decrypt: its clear headers (the source call) must
// match and the frames the ladder decrypted are compared by position
// only.
func TestLaddersMatchTshark(t *testing.T) {
	tshark := testenv.RequireTool(t, "tshark")
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			l, text := build(t, g)
			shark := tsharkFrames(t, tshark, g.capture)
			if len(shark) != len(l.Frames) {
				t.Fatalf("tshark lists %d frames, the ladder %d", len(shark), len(l.Frames))
			}
			rows := readText(t, text, len(l.Parties))
			if len(rows) != len(l.Rows) {
				t.Fatalf("text has %d rows, the ladder %d", len(rows), len(l.Rows))
			}
			// The text, expanded: its frames in row order, against
			// tshark's frames in the order the rows took them.
			total := 0
			for i, r := range rows {
				total += r.frames
				mr := l.Rows[i]
				if r.frames != len(mr.Frames) && !r.lost && !r.isNote {
					t.Errorf("row %d %q stands for %d frames, the model for %d", i, r.label, r.frames, len(mr.Frames))
				}
				if r.frames == 0 {
					continue
				}
				first := mr.Frames[0]
				want := shark[first].name
				if l.Frames[first].Encrypted {
					want = l.Frames[first].Name // tshark sees noise
				}
				if r.name != want && !(r.name == "ENCRYPTED" && l.Frames[first].Encrypted) {
					t.Errorf("row %d %q: frame %d is %s to tshark", i, r.label, first+1, want)
				}
				if mr.Kind == RowVoice {
					for _, f := range mr.Frames {
						if shark[f].name != "VOICE" && !l.Frames[f].Encrypted {
							t.Errorf("voice row %d holds frame %d, %s to tshark", i, f+1, shark[f].name)
						}
					}
				}
			}
			if total != len(shark) {
				t.Errorf("the text's rows stand for %d frames, tshark lists %d", total, len(shark))
			}
			// The model, frame by frame, and the rows in the order of
			// their first frames.
			last := -1
			for i, r := range l.Rows {
				if len(r.Frames) == 0 {
					continue
				}
				if r.Frames[0] < last {
					t.Errorf("row %d starts at frame %d, before the row above (%d)", i, r.Frames[0]+1, last+1)
				}
				last = r.Frames[0]
			}
			for i, f := range l.Frames {
				if !f.Encrypted && f.Name != shark[i].name {
					t.Errorf("frame %d: ladder %s, tshark %s", i+1, f.Name, shark[i].name)
				}
			}
			checkClearHeaders(t, g.capture, shark)
		})
	}
}

// checkClearHeaders compares tshark's source call numbers with the
// datagrams' own first octets: the header an encrypted frame keeps in
// the clear dissects.
func checkClearHeaders(t *testing.T, capture string, shark []sharkFrame) {
	t.Helper()
	b, _ := os.ReadFile(capture)
	ds, _ := ReadCapture(b)
	for i, d := range ds {
		src, _, _ := callNumbers(d.Data)
		if shark[i].srcCall != strconv.Itoa(int(src)) {
			t.Errorf("frame %d: tshark reads source call %q, the datagram says %d", i+1, shark[i].srcCall, src)
		}
	}
}

// svgArrow is one arrow group of the picture.
type svgArrow struct {
	class, from, to, label string
}

func readSVG(t *testing.T, r io.Reader) (parties []string, arrows []svgArrow) {
	t.Helper()
	dec := xml.NewDecoder(r)
	var cur *svgArrow
	inLabel := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range e.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch {
			case e.Name.Local == "g" && attr["class"] == "party":
				parties = append(parties, attr["data-party"])
			case e.Name.Local == "g" && strings.HasPrefix(attr["class"], "arrow "):
				cur = &svgArrow{class: strings.TrimPrefix(attr["class"], "arrow "), from: attr["data-from"], to: attr["data-to"]}
			case e.Name.Local == "text" && attr["class"] == "label":
				inLabel = true
			}
		case xml.CharData:
			if inLabel && cur != nil {
				cur.label += string(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "text":
				inLabel = false
			case "g":
				if cur != nil {
					arrows = append(arrows, *cur)
					cur = nil
				}
			}
		}
	}
	return parties, arrows
}

// The SVG of each ladder parses as XML and holds the text ladder's
// arrows: as many, in order, the same way round between the same
// parties, with the same labels (the text's may be cut short with …).
func TestSVGMatchesText(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			l, text := build(t, g)
			var svg bytes.Buffer
			if err := l.SVG(&svg); err != nil {
				t.Fatal(err)
			}
			parties, arrows := readSVG(t, &svg)
			if len(parties) != len(l.Parties) {
				t.Fatalf("SVG has %d parties, want %d", len(parties), len(l.Parties))
			}
			rows := readText(t, text, len(l.Parties))
			if len(arrows) != len(rows) {
				t.Fatalf("SVG has %d arrows, the text %d rows", len(arrows), len(rows))
			}
			xs := lifelines(len(l.Parties), DefaultWidth)
			col := map[string]int{}
			for i := range l.Parties {
				col[Letter(i)] = xs[i]
			}
			for i, a := range arrows {
				r := rows[i]
				label := strings.TrimSuffix(r.label, "…")
				if !strings.HasPrefix(a.label, label) || (!strings.HasSuffix(r.label, "…") && a.label != r.label) {
					t.Errorf("arrow %d: SVG %q, text %q", i, a.label, r.label)
				}
				if r.isNote {
					continue
				}
				from, to := col[a.from], col[a.to]
				if (from < to) != r.rightward || min(from, to) != r.left || max(from, to) != r.right {
					t.Errorf("arrow %d %q: SVG %s→%s, text spans %d..%d rightward %v", i, a.label, a.from, a.to, r.left, r.right, r.rightward)
				}
				if (a.class == "voice") != strings.HasPrefix(r.label, "voice ×") || (a.class == "lost") != r.lost {
					t.Errorf("arrow %d %q: SVG class %s", i, a.label, a.class)
				}
			}
		})
	}
}
