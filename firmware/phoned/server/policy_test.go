package server

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ringo-phone/ringo/telephony/policy"
)

// [Policy] EmergencyNumbers replaces the default rest of the list, never
// 112 and 911.
func TestEmergencyListKeeps112And911(t *testing.T) {
	dir := t.TempDir()
	c, err := loadPolicyConfig(dir)
	if err != nil || !slices.Equal(c.Emergency.List(), policy.DefaultEmergencyNumbers().List()) {
		t.Errorf("defaults: %q, %v; want %q", c.Emergency.List(), err, policy.DefaultEmergencyNumbers().List())
	}
	if err := os.WriteFile(filepath.Join(dir, policy.ConfigFile), []byte("[Policy]\nEmergencyNumbers = 999, 911\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = loadPolicyConfig(dir)
	if want := []string{"112", "911", "999"}; err != nil || !slices.Equal(c.Emergency.List(), want) {
		t.Errorf("EmergencyNumbers = 999, 911: %q, %v; want %q", c.Emergency.List(), err, want)
	}
}
