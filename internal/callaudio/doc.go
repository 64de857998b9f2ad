// Package callaudio joins one IAX2 call to a microphone and a speaker
// (drivers/audio): the call's voice path.
//
// One tick serves the call: every 20 ms one goroutine takes the voice
// frames that have arrived on the call (Call.Voice, without waiting) into
// a media.JitterBuffer by timestamp, plays the jitter buffer's next frame
// (or a local tone) to the Sink, and captures, encodes in the call's
// agreed G.711 law and sends one frame from the Source with
// Call.SendVoice. No frame is handed from one goroutine to another on the
// way, and one timer stands for microphone, speaker and network together.
//
// The tick is the speaker's clock when it has one: a Sink that says when
// it will take a frame (pulse.Sink's WaitWritable) sets it, and gets the
// frame picked at the last moment, so playout follows the sound card and
// the adaptive jitter buffer absorbs network jitter and the drift between
// the far end's clock and ours. Endpoints without a rhythm of their own
// (null, WAV files, the test fakes: audio.CallerPaced) are served on the
// session's own 20 ms timer on Config.Clock, which a test fakes. A
// Source with a rhythm of its own (PulseAudio's microphone) is read by a
// second goroutine, paced by the card, that sends each frame as it is
// captured.
//
// Local tones: while the call is alerting and the network sends no audio,
// the session plays ringback; when the far end answers busy, it plays the
// busy tone for Config.BusyFor before finishing. SetTone overrides this.
//
// Session is the pipeline for one call; Device opens the endpoints by name
// from an audio.Devices table and is what tools/iaxcli (-audio pulse, or
// WAV files) and the Asterisk agent (iaxagent.Audio) use.
//
// Logs go to Config.Logger with category=audio.
package callaudio
