package iax

import "testing"

func TestResolvePeer(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":      "127.0.0.1:4569",
		"127.0.0.1:5000": "127.0.0.1:5000",
		"[::1]:4570":     "[::1]:4570",
		"::1":            "[::1]:4569",
	} {
		got, err := ResolvePeer(t.Context(), in)
		if err != nil || got.String() != want {
			t.Errorf("ResolvePeer(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"127.0.0.1:0", "127.0.0.1:x", "host:99999"} {
		if got, err := ResolvePeer(t.Context(), bad); err == nil {
			t.Errorf("ResolvePeer(%q) = %v, want an error", bad, got)
		}
	}
}
