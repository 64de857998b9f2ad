// Package pulse is the PulseAudio backend of drivers/audio: a Sink plays
// call audio into a PulseAudio sink and a Source records from a PulseAudio
// source, both as 8 kHz mono signed 16-bit streams in 20 ms frames.
//
// Register adds it to a Devices table as "pulse": "pulse" names the server's
// default sink or source, "pulse:NAME" a given one (a null sink's monitor,
// for instance, is "pulse:NAME.monitor"). The server is found as libpulse
// does: Config.Server, else $PULSE_SERVER, else
// $XDG_RUNTIME_DIR/pulse/native, else the system-wide socket
// /run/pulse/native.
//
// The backend speaks the native protocol through the wire layer of
// github.com/jfreymuth/pulse (package proto) and keeps the stream logic to
// itself. The library's stream layer is not used, because in v0.1.1 its
// stream state is shared between goroutines without locks (the race
// detector trips on it), Start can hang when the reader ends during the
// first fill, and Drain does nothing once the reader returned EndOfData.
// Instead each Sink and Source owns one connection and one stream that runs
// for the whole call: the sink writes exactly the bytes the server asks for
// (so the server's clock paces the caller), the source re-frames the
// server's irregular record chunks into 160-sample frames. Nothing relies
// on draining.
//
// Connection loss (the server restarts, is killed, or stops answering for
// Config.StallTimeout) does not end a stream: the endpoint goes silent —
// the sink discards frames and the source gives silence, both paced by the
// injected clock at 20 ms a frame so the call keeps its rhythm — and
// reconnects in the background with backoff. Sink.Stats and Source.Stats
// count what happened (audio.StreamStats).
//
// Logs go to Config.Logger with category=audio.
package pulse
