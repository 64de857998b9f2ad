package telservice

import "testing"

// One service at a time; a start that ends after the program did hands
// its service back to be stopped; a failed start leaves the slot free.
func TestSlot(t *testing.T) {
	var s slot[int]
	if !s.claim() || s.claim() {
		t.Fatal("claim: want the first true and a second, while starting, false")
	}
	if !s.release(1, true) {
		t.Fatal("release of a started service while the program runs = false")
	}
	if s.claim() {
		t.Error("claim while a service runs = true")
	}
	if v, ok := s.empty(false); !ok || v != 1 {
		t.Errorf("empty = %d, %v; want 1, true", v, ok)
	}
	if _, ok := s.empty(false); ok {
		t.Error("empty of an empty slot = ok")
	}
	if !s.claim() {
		t.Fatal("claim after a stop = false")
	}
	s.release(0, false) // a failed start
	if !s.claim() {
		t.Fatal("claim after a failed start = false")
	}
	if _, ok := s.empty(true); ok {
		t.Error("empty(final) while starting = ok")
	}
	if s.release(2, true) {
		t.Error("release after the program ended = true; want false, so that the caller stops it")
	}
	if s.claim() {
		t.Error("claim after the program ended = true")
	}
}
