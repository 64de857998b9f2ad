// Package audio is the PCM endpoint of a call: a Source (the microphone)
// gives 20 ms frames of 8 kHz mono signed 16-bit audio, a Sink (the speaker)
// takes them. The frame format is media.Frame.
//
// Backends are opened by device name through a Devices table that the
// program builds (there is no global registry):
//
//	null        silence in, everything written discarded
//	wav:PATH    read PATH as the microphone, or write PATH as the speaker
//	pulse[:DEV] PulseAudio (registered by the pulse backend package)
//
// Sources and Sinks may be paced by an injected Clock, which a caller can
// fake: a paced Source releases frame n once (n+1)·20 ms have passed since
// the first read, as a capture device would; a paced Sink accepts frame n
// at n·20 ms.
// Unpaced endpoints run as fast as the caller. Endpoints without a
// rhythm of their own (null, wav, the audiotest fakes) are CallerPaced: a
// caller that serves them from its own 20 ms tick (a call's audio
// session) turns their clock off, so one timer paces microphone, speaker
// and network together. Blocking calls take a context
// and end early with ctx.Err(), or with ErrClosed once Close is called from
// another goroutine. Close is idempotent.
//
// WAV files must be RIFF/WAVE PCM (or extensible PCM), mono, 8000 Hz,
// 16-bit; other formats are rejected with ErrUnsupportedFormat naming what
// the file holds — Ringo does not resample.
//
// Package audiotest holds the fakes and the tone generator and Goertzel
// detector that other packages' tests use.
package audio
