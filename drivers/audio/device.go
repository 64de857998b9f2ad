package audio

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Backend opens endpoints of one kind. arg is the part of the device name
// after the first ':' ("" when there is none).
type Backend interface {
	OpenSource(ctx context.Context, arg string) (Source, error)
	OpenSink(ctx context.Context, arg string) (Sink, error)
}

// Devices maps backend names to backends. The program builds one and
// registers what its image has (a PulseAudio backend registers as "pulse").
// It is safe for concurrent use.
type Devices struct {
	mu       sync.Mutex
	backends map[string]Backend
}

// NewDevices returns a table with the "null" and "wav" backends, both paced
// by clk (nil: unpaced, for tools that convert files).
func NewDevices(clk Clock) *Devices {
	return &Devices{backends: map[string]Backend{
		"null": nullBackend{clk},
		"wav":  wavBackend{clk},
	}}
}

// Register adds backend b under name; replacing a name is an error.
func (d *Devices) Register(name string, b Backend) error {
	if name == "" || strings.ContainsAny(name, ": \t") {
		return fmt.Errorf("%w: backend name %q", ErrBadDevice, name)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.backends[name]; ok {
		return fmt.Errorf("%w: backend %q registered twice", ErrBadDevice, name)
	}
	d.backends[name] = b
	return nil
}

// Names returns the registered backend names, sorted.
func (d *Devices) Names() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Sorted(maps.Keys(d.backends))
}

// ParseDevice splits a device name "backend[:arg]".
func ParseDevice(name string) (backend, arg string, err error) {
	backend, arg, _ = strings.Cut(name, ":")
	if backend == "" {
		return "", "", fmt.Errorf("%w: %q has no backend (want e.g. pulse, wav:PATH, null)", ErrBadDevice, name)
	}
	return backend, arg, nil
}

func (d *Devices) lookup(name string) (Backend, string, error) {
	backend, arg, err := ParseDevice(name)
	if err != nil {
		return nil, "", err
	}
	d.mu.Lock()
	b, ok := d.backends[backend]
	d.mu.Unlock()
	if !ok {
		return nil, "", fmt.Errorf("%w: %q: no backend %q in this build (have %s)", ErrBadDevice, name, backend, strings.Join(d.Names(), ", "))
	}
	return b, arg, nil
}

// OpenSource opens the microphone named by device.
func (d *Devices) OpenSource(ctx context.Context, device string) (Source, error) {
	b, arg, err := d.lookup(device)
	if err != nil {
		return nil, err
	}
	return b.OpenSource(ctx, arg)
}

// OpenSink opens the speaker named by device.
func (d *Devices) OpenSink(ctx context.Context, device string) (Sink, error) {
	b, arg, err := d.lookup(device)
	if err != nil {
		return nil, err
	}
	return b.OpenSink(ctx, arg)
}

type nullBackend struct{ clk Clock }

func (b nullBackend) OpenSource(_ context.Context, arg string) (Source, error) {
	if arg != "" {
		return nil, fmt.Errorf("%w: null takes no argument, got %q", ErrBadDevice, arg)
	}
	return NewNullSource(b.clk), nil
}

func (b nullBackend) OpenSink(_ context.Context, arg string) (Sink, error) {
	if arg != "" {
		return nil, fmt.Errorf("%w: null takes no argument, got %q", ErrBadDevice, arg)
	}
	return NewNullSink(b.clk), nil
}

type wavBackend struct{ clk Clock }

func (b wavBackend) OpenSource(_ context.Context, path string) (Source, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: wav needs a path (wav:PATH)", ErrBadDevice)
	}
	return OpenWAVSource(path, b.clk)
}

func (b wavBackend) OpenSink(_ context.Context, path string) (Sink, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: wav needs a path (wav:PATH)", ErrBadDevice)
	}
	return CreateWAVSink(path, b.clk)
}
