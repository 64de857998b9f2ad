// Package media is the protocol-independent half of call audio: the frame
// format, G.711 μ-law and A-law, an adaptive jitter buffer and locally
// generated tones.
//
// Audio inside Ringo is 8 kHz mono signed 16-bit PCM cut into 20 ms frames
// of 160 samples (Frame). The IAX2 agent decodes received voice into Frames,
// feeds them to a JitterBuffer with their timestamps, and takes one Frame
// every 20 ms for the speaker (drivers/audio); the microphone side encodes
// Frames with the same codec. When the network sends no audio while a call
// is alerting or busy, the agent plays a ToneGenerator instead; keypad
// presses get a short DTMF tone as feedback.
//
// The codec functions and the jitter buffer do not allocate per frame. The
// jitter buffer reads arrival times from JitterConfig.Clock, which a
// caller can fake, so its tests run in fake time.
package media
