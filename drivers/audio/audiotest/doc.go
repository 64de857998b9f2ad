// Package audiotest helps tests that handle call audio: a strict Playback
// source and a Record sink standing in for a microphone and a speaker, a
// tone generator, and a Goertzel detector that measures how far a tone
// stands above everything else in a recording (end-to-end tests require a
// 1004 Hz test tone at least 30 dB over the other bins).
package audiotest
