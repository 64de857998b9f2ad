package audio_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
)

var ctx = context.Background()

// readAll reads every frame of s until an error and returns the samples
// and that error.
func readAll(t *testing.T, s audio.Source) ([]int16, error) {
	t.Helper()
	var out []int16
	var f audio.Frame
	for range 100000 {
		if err := s.ReadFrame(ctx, &f); err != nil {
			return out, err
		}
		out = append(out, f[:]...)
	}
	t.Fatal("source never ended")
	return nil, nil
}

// wavBytes builds a WAV file from a header and sample bytes.
func wavBytes(h audio.WAVHeader, data []byte) []byte {
	b, _ := h.Marshal()
	return append(b, data...)
}

func le16(samples []int16) []byte {
	b := make([]byte, 2*len(samples))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestWAVHeaderMarshal(t *testing.T) {
	b, err := audio.NewWAVHeader(640).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	const want = "52494646" + "a4020000" + "57415645" + // RIFF, 36+640, WAVE
		"666d7420" + "10000000" + "0100" + "0100" + // fmt , 16, PCM, mono
		"401f0000" + "803e0000" + "0200" + "1000" + // 8000, 16000, 2, 16
		"64617461" + "80020000" // data, 640
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("Marshal() = %s\nwant        %s", got, want)
	}
	if n, err := audio.NewWAVHeader(0).MarshalTo(make([]byte, 43)); n != 0 || !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("MarshalTo(43 bytes) = %d, %v; want 0, io.ErrShortBuffer", n, err)
	}
	var h audio.WAVHeader
	n, err := h.Unmarshal(append(b, 1, 2, 3))
	if err != nil || n != 44 || h != audio.NewWAVHeader(640) {
		t.Errorf("Unmarshal(Marshal()) = %+v, %d, %v", h, n, err)
	}
	// A streamed file's unknown size saturates the RIFF size.
	b, _ = audio.NewWAVHeader(audio.UnknownDataSize).Marshal()
	if got := binary.LittleEndian.Uint32(b[4:]); got != 0xFFFFFFFF {
		t.Errorf("RIFF size for unknown data = %#x, want 0xffffffff", got)
	}
}

func TestWAVHeaderFiles(t *testing.T) {
	tests := []struct {
		file     string
		offset   int
		dataSize uint32
		wantErr  error
		msg      string
	}{
		{"milliwatt.wav", 44, 3200, nil, ""},
		{"milliwatt-list.wav", 78, 640, nil, ""},
		{"milliwatt-extensible.wav", 68, 320, nil, ""},
		{"stereo-44100.wav", 44, 16, audio.ErrUnsupportedFormat, "44100 Hz stereo 16-bit PCM (want 8000 Hz mono 16-bit PCM; Ringo does not resample)"},
		{"ulaw-8000.wav", 56, 160, audio.ErrUnsupportedFormat, "8000 Hz mono 8-bit μ-law"},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		var h audio.WAVHeader
		n, err := h.Unmarshal(b)
		if err != nil || n != tt.offset || h.DataSize != tt.dataSize {
			t.Errorf("%s: Unmarshal = %d, DataSize %d, %v; want %d, %d", tt.file, n, h.DataSize, err, tt.offset, tt.dataSize)
		}
		err = h.Check()
		if !errors.Is(err, tt.wantErr) || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("%s: Check() = %v, want %v with %q", tt.file, err, tt.wantErr, tt.msg)
		}
		if _, err := audio.NewWAVSource(bytes.NewReader(b), nil); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: NewWAVSource error = %v, want %v", tt.file, err, tt.wantErr)
		}
	}
}

func TestWAVHeaderErrors(t *testing.T) {
	good, _ := audio.NewWAVHeader(4).Marshal()
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	put32 := func(b []byte, off int, v uint32) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b }
	put16 := func(b []byte, off int, v uint16) []byte { binary.LittleEndian.PutUint16(b[off:], v); return b }
	tests := []struct {
		name    string
		in      []byte
		wantErr error
		msg     string
	}{
		{"empty", nil, audio.ErrNotWAV, "too short for a RIFF header"},
		{"RIFX", mod(func(b []byte) []byte { copy(b, "RIFX"); return b }), audio.ErrNotWAV, `starts with "RIFX"...`},
		{"AVI", mod(func(b []byte) []byte { copy(b[8:], "AVI "); return b }), audio.ErrNotWAV, `..."AVI "`},
		{"no chunks", good[:12], audio.ErrBadWAV, `no "fmt " chunk`},
		{"no data", good[:36], audio.ErrBadWAV, `no "data" chunk`},
		{"fmt too short", mod(func(b []byte) []byte { return put32(b, 16, 14) }), audio.ErrBadWAV, `"fmt " chunk of 14 bytes`},
		{"fmt huge", mod(func(b []byte) []byte { return put32(b, 16, 1<<20) }), audio.ErrBadWAV, `"fmt " chunk of 1048576 bytes`},
		{"fmt cut", good[:30], audio.ErrBadWAV, `"fmt " chunk cut short`},
		{"data first", append(append(slices.Clone(good[:12]), "data\x00\x00\x00\x00"...), good[12:]...), audio.ErrBadWAV, `"data" chunk before "fmt "`},
		{"skipped chunk cut", append(slices.Clone(good[:36]), "LIST\x10\x00\x00\x00abc"...), audio.ErrBadWAV, `"LIST" chunk declares 16 bytes, only 3 follow`},
		{"extensible short", mod(func(b []byte) []byte { return put16(b, 20, 0xFFFE) }), audio.ErrBadWAV, "extensible"},
	}
	for _, tt := range tests {
		_, err := audio.ReadWAVHeader(bytes.NewReader(tt.in))
		if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: ReadWAVHeader error = %v, want %v containing %q", tt.name, err, tt.wantErr, tt.msg)
		}
	}
	checks := []struct {
		h   audio.WAVHeader
		msg string
	}{
		{func() audio.WAVHeader { h := audio.NewWAVHeader(4); h.BlockAlign = 4; return h }(), "block align 4, byte rate 16000"},
		{audio.NewWAVHeader(5), "data size 5 is not a whole number"},
		{func() audio.WAVHeader { h := audio.NewWAVHeader(4); h.Format = 3; h.BitsPerSample = 32; return h }(), "8000 Hz mono 32-bit float"},
		{func() audio.WAVHeader { h := audio.NewWAVHeader(4); h.Channels = 6; return h }(), "6 channels"},
		{func() audio.WAVHeader { h := audio.NewWAVHeader(4); h.Format = 0x55; return h }(), "format 0x0055"},
	}
	for _, c := range checks {
		if err := c.h.Check(); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Check(%+v) = %v, want it to mention %q", c.h, err, c.msg)
		}
	}
	if err := audio.NewWAVHeader(audio.UnknownDataSize).Check(); err != nil {
		t.Errorf("Check of a streamed header = %v, want nil", err)
	}
}

func TestWAVSourceReadsFile(t *testing.T) {
	s, err := audio.OpenWAVSource(filepath.Join("testdata", "milliwatt.wav"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, s)
	if err != io.EOF || len(got) != 1600 {
		t.Fatalf("read %d samples, %v; want 1600, io.EOF", len(got), err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	var f audio.Frame
	if err := s.ReadFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("ReadFrame after Close = %v, want ErrClosed", err)
	}
	if r := audiotest.AnalyzeTone(got, 1004); r.MarginDB < 30 {
		t.Errorf("milliwatt.wav: 1004 Hz margin %.1f dB, want ≥ 30", r.MarginDB)
	}
	if _, err := audio.OpenWAVSource(filepath.Join(t.TempDir(), "missing.wav"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenWAVSource(missing) = %v, want ErrNotExist", err)
	}
	if _, err := audio.OpenWAVSource(filepath.Join("testdata", "stereo-44100.wav"), nil); !errors.Is(err, audio.ErrUnsupportedFormat) || !strings.Contains(err.Error(), "stereo-44100.wav: ") {
		t.Errorf("OpenWAVSource(stereo) = %v, want ErrUnsupportedFormat naming the file", err)
	}
}

func TestWAVSourcePadsAndTruncates(t *testing.T) {
	samples := audiotest.Sine(440, -6, 200) // 1 frame + 40 samples
	tests := []struct {
		name    string
		h       audio.WAVHeader
		data    []byte
		want    int // samples before the end
		wantErr error
	}{
		{"exact size", audio.NewWAVHeader(400), le16(samples), 320, io.EOF},
		{"declared shorter than file", audio.NewWAVHeader(320), le16(samples), 160, io.EOF},
		{"streamed", audio.NewWAVHeader(audio.UnknownDataSize), le16(samples), 320, io.EOF},
		{"streamed odd tail", audio.NewWAVHeader(audio.UnknownDataSize), append(le16(samples), 7), 320, io.EOF},
		{"truncated", audio.NewWAVHeader(640), le16(samples), 320, audio.ErrTruncated},
		{"empty", audio.NewWAVHeader(0), nil, 0, io.EOF},
	}
	for _, tt := range tests {
		s, err := audio.NewWAVSource(bytes.NewReader(wavBytes(tt.h, tt.data)), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := readAll(t, s)
		if !errors.Is(err, tt.wantErr) || len(got) != tt.want {
			t.Errorf("%s: read %d samples then %v; want %d then %v", tt.name, len(got), err, tt.want, tt.wantErr)
			continue
		}
		n := min(len(samples), len(tt.data)/2, int(min(tt.h.DataSize, 1<<20))/2)
		if !slices.Equal(got[:n], samples[:n]) || slices.ContainsFunc(got[n:], func(v int16) bool { return v != 0 }) {
			t.Errorf("%s: samples differ or padding is not silence", tt.name)
		}
		// The end is sticky.
		var f audio.Frame
		if err2 := s.ReadFrame(ctx, &f); !errors.Is(err2, tt.wantErr) {
			t.Errorf("%s: ReadFrame after the end = %v, want %v again", tt.name, err2, tt.wantErr)
		}
	}
	s, _ := audio.NewWAVSource(bytes.NewReader(wavBytes(audio.NewWAVHeader(640), le16(samples))), nil)
	_, err := readAll(t, s)
	if want := "audio: WAV data truncated: header declares 640 data bytes, file ends 240 bytes short"; err == nil || err.Error() != want {
		t.Errorf("truncation error = %q, want %q", err, want)
	}
}

// errWriter fails writes after n bytes and can fail seeks.
type errWriter struct {
	bytes.Buffer
	n        int
	seekFail bool
}

func (w *errWriter) Write(p []byte) (int, error) {
	if w.Len()+len(p) > w.n {
		return 0, errors.New("disk full")
	}
	return w.Buffer.Write(p)
}

func (w *errWriter) Seek(int64, int) (int64, error) {
	if w.seekFail {
		return 0, errors.New("not seekable")
	}
	w.Reset()
	return 0, nil
}

func TestWAVSinkRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := audio.CreateWAVSink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &audiotest.ToneSource{Freq: 1004, LevelDB: -10, Frames: 25}
	var f audio.Frame
	for src.ReadFrame(ctx, &f) == nil {
		if err := sink.WriteFrame(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	if sink.Frames() != 25 {
		t.Errorf("Frames() = %d, want 25", sink.Frames())
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := sink.WriteFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("WriteFrame after Close = %v, want ErrClosed", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := wavBytes(audio.NewWAVHeader(8000), le16(audiotest.Sine(1004, -10, 4000))); !bytes.Equal(b, want) {
		t.Errorf("file is %d bytes, want the canonical %d", len(b), len(want))
	}
	back, err := audio.OpenWAVSource(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	got, err := readAll(t, back)
	if err != io.EOF || !slices.Equal(got, audiotest.Sine(1004, -10, 4000)) {
		t.Errorf("read back %d samples, %v", len(got), err)
	}
	if r := audiotest.AnalyzeTone(got, 1004); r.MarginDB < 30 {
		t.Errorf("1004 Hz margin %.1f dB, want ≥ 30", r.MarginDB)
	}
}

func TestWAVSinkErrors(t *testing.T) {
	if _, err := audio.NewWAVSink(&errWriter{n: 10}, nil); err == nil || !strings.Contains(err.Error(), "write WAV header: disk full") {
		t.Errorf("NewWAVSink on a full disk = %v", err)
	}
	w := &errWriter{n: 44 + 320}
	s, err := audio.NewWAVSink(w, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f audio.Frame
	if err := s.WriteFrame(ctx, &f); err != nil {
		t.Fatal(err)
	}
	err = s.WriteFrame(ctx, &f)
	if err == nil || err.Error() != "audio: write WAV: disk full" {
		t.Errorf("WriteFrame on a full disk = %v", err)
	}
	if err2 := s.WriteFrame(ctx, &f); err2 != err {
		t.Errorf("the write error is not sticky: %v", err2)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v (the header patch fits)", err)
	}
	if got := binary.LittleEndian.Uint32(w.Bytes()[40:]); got != 320 {
		t.Errorf("patched data size = %d, want 320", got)
	}
	s, _ = audio.NewWAVSink(&errWriter{n: 1000, seekFail: true}, nil)
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "patch WAV header: not seekable") {
		t.Errorf("Close on an unseekable writer = %v", err)
	}
	if _, err := audio.CreateWAVSink(filepath.Join(t.TempDir(), "no", "dir.wav"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CreateWAVSink in a missing directory = %v", err)
	}
}

// FuzzWAVHeader: Unmarshal never panics; an accepted header re-marshals to
// a canonical header that parses back to the same format.
func FuzzWAVHeader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var h audio.WAVHeader
		n, err := h.Unmarshal(b)
		if err != nil {
			return
		}
		if n < 44 || n > len(b) {
			t.Fatalf("Unmarshal used %d of %d bytes", n, len(b))
		}
		if h.Check() != nil {
			return
		}
		want := h
		want.Format, want.SubFormat = audio.FormatPCM, 0
		out, err := want.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var back audio.WAVHeader
		if n, err := back.Unmarshal(out); err != nil || n != 44 || back != want {
			t.Fatalf("Unmarshal(Marshal(%+v)) = %+v, %d, %v", want, back, n, err)
		}
	})
}

// FuzzWAVSource: a source over any bytes never panics, ends with io.EOF or
// ErrTruncated, and yields exactly the samples the data holds.
func FuzzWAVSource(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var h audio.WAVHeader
		off, herr := h.Unmarshal(b)
		s, err := audio.NewWAVSource(bytes.NewReader(b), nil)
		if err != nil {
			if herr == nil && h.Check() == nil {
				t.Fatalf("NewWAVSource failed (%v) on a header that checks", err)
			}
			return
		}
		got, err := readAll(t, s)
		avail := len(b) - off
		declared := avail
		if h.DataSize != audio.UnknownDataSize {
			declared = int(h.DataSize)
		}
		n := min(avail, declared) / 2
		wantErr := error(io.EOF)
		if declared > avail {
			wantErr = audio.ErrTruncated
		}
		if !errors.Is(err, wantErr) {
			t.Fatalf("source ended with %v, want %v", err, wantErr)
		}
		frames := (n + audio.FrameSamples - 1) / audio.FrameSamples
		if len(got) != frames*audio.FrameSamples {
			t.Fatalf("read %d samples, want %d frames for %d samples", len(got), frames, n)
		}
		for i := range n {
			if want := int16(binary.LittleEndian.Uint16(b[off+2*i:])); got[i] != want {
				t.Fatalf("sample %d = %d, want %d", i, got[i], want)
			}
		}
	})
}

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.wav"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(wavBytes(audio.NewWAVHeader(audio.UnknownDataSize), []byte{1, 2, 3}))
	f.Add(wavBytes(audio.NewWAVHeader(1000), []byte{1, 2, 3, 4}))
}
