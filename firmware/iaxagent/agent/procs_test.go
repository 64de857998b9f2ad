package agent

import (
	"runtime"
	"testing"
)

func TestOneProcessor(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	t.Setenv("GOMAXPROCS", "")
	runtime.GOMAXPROCS(2)
	OneProcessor()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("OneProcessor() without GOMAXPROCS in the environment: GOMAXPROCS = %d, want 1", got)
	}
	t.Setenv("GOMAXPROCS", "2")
	runtime.GOMAXPROCS(2)
	OneProcessor()
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Errorf("OneProcessor() with GOMAXPROCS=2 in the environment: GOMAXPROCS = %d, want 2 (the environment's)", got)
	}
}
