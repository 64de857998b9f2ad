package ladder

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// docs/ladders.md shows kept ladders: each block marked
// "<!-- ladder: NAME -->" must be testdata/NAME as it is now, and the
// pictures beside it the SVG of the same captures (go test -update
// writes them).
func TestDocsShowTheLadders(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ladders.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- ladder: ([^ ]+) -->\n```\n(.*?)```\n").FindAllSubmatch(doc, -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/ladders.md shows %d kept ladders, want a registration and a call", len(blocks))
	}
	for _, m := range blocks {
		want, err := os.ReadFile(filepath.Join("testdata", string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m[2], want) {
			t.Errorf("docs/ladders.md shows an old %s: paste testdata/%s in again", m[1], m[1])
		}
	}
	for _, g := range goldens(t) {
		if g.name != "register-calltoken-md5-release.txt" && g.name != "call-aes128-601.txt" {
			continue
		}
		l, _ := build(t, g)
		var svg bytes.Buffer
		if err := l.SVG(&svg); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("../../docs/ladders", g.name[:len(g.name)-len(".txt")]+".svg")
		if *update {
			if err := os.WriteFile(path, svg.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, svg.Bytes()) {
			t.Errorf("%s is not the SVG of %s (%v): go test -update writes it", path, g.capture, err)
		}
	}
}
