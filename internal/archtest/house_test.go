package archtest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHouseRules holds the repository to the house rules (doc.go). Each
// failing subtest lists its violations as "file:line: rule: message", one
// per line. The test imports of libraries are a subtest of their own.
func TestHouseRules(t *testing.T) {
	requireGo(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	found, err := Check(root, "./...")
	if err != nil {
		t.Fatalf("Check(%s): %v", root, err)
	}
	t.Logf("checked the module in %v", time.Since(start).Round(time.Millisecond))

	subtests := []struct {
		name string
		is   func(Violation) bool
	}{
		{"imports", func(v Violation) bool { return !v.Test && v.Rule != RuleInternalInAPI }},
		{"exported API", func(v Violation) bool { return v.Rule == RuleInternalInAPI }},
		{"library test imports", func(v Violation) bool { return v.Test }},
	}
	for _, st := range subtests {
		t.Run(st.name, func(t *testing.T) {
			var lines []string
			for _, v := range found {
				if st.is(v) {
					lines = append(lines, v.String())
				}
			}
			if len(lines) > 0 {
				t.Errorf("%d violations of the house rules (see internal/archtest/doc.go):\n%s",
					len(lines), strings.Join(lines, "\n"))
			}
		})
	}
}

func requireGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("the go command is needed to list packages: %v", err)
	}
}
