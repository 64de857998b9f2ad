package clock

import (
	"testing"
	"time"
)

func TestFakeRunsInDeadlineOrder(t *testing.T) {
	start := time.Unix(1000, 0)
	c := NewFake(start)
	var got []string
	c.AfterFunc(2*time.Second, func() { got = append(got, "b") })
	c.AfterFunc(time.Second, func() {
		got = append(got, "a")
		c.AfterFunc(500*time.Millisecond, func() { got = append(got, "a2") })
	})
	stopped := c.AfterFunc(time.Second, func() { got = append(got, "never") })
	if !stopped.Stop() {
		t.Fatal("Stop() = false, want true for a pending timer")
	}
	c.Advance(1999 * time.Millisecond)
	if want := "a,a2"; join(got) != want {
		t.Fatalf("after 1.999s ran %q, want %q", join(got), want)
	}
	c.Advance(time.Millisecond)
	if want := "a,a2,b"; join(got) != want {
		t.Fatalf("after 2s ran %q, want %q", join(got), want)
	}
	if got, want := c.Now(), start.Add(2*time.Second); !got.Equal(want) {
		t.Fatalf("Now() = %v, want %v", got, want)
	}
	if c.Pending() != 0 {
		t.Fatalf("Pending() = %d, want 0", c.Pending())
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
