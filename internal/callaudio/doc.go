// Package callaudio joins one IAX2 call to a microphone and a speaker
// (drivers/audio): the call's voice path.
//
// Send: each frame the Source captures is encoded in the call's agreed
// G.711 law and sent with Call.SendVoice. The Source's own clock paces
// sending (a sound card captures at its rate, a paced WAV file at 20 ms a
// frame), so the stream follows the device without drift.
//
// Receive: Call.Voice frames are decoded and put into a media.JitterBuffer
// by timestamp; the playout loop takes one frame from it each time the
// Sink has room and writes it, so the speaker's clock paces playout and
// the adaptive jitter buffer absorbs network jitter and the drift between
// the far end's clock and ours. Sinks that can say when they will take a
// frame (pulse.Sink's WaitWritable) get it picked at the last moment.
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
