package main

import "regexp"

func mb(bytes float64) float64 { return bytes / 1e6 }
func us(ns float64) float64    { return ns / 1e3 }

// figures are the table's rows, in docs/PERFORMANCE.md's order. The goals
// are the (Ringo's binaries ≤ 10 MB, Home ≤ 3.0 s, G.711 ≤ 120
// ns, the agent ≤ 100 wakeups/s and ≤ 2 % of a core in a call, iaxpbx ≤ 4
// µs per echoed frame and no loss at 3000 calls, arrival → PulseAudio ≤
// 40 ms) and, for "nothing else gets slower", the worst of what
// docs/PERFORMANCE.md records for the figure.
var figures = []figure{
	// The image and the boot (tools/imageparts, tools/hil/bench_test.go).
	{section: "image and boot", name: "Ringo's commands in the busybox binary", bench: "BenchmarkImage/ringo", unit: "bytes", show: mb, shown: "MB", goal: goal{"<=", 10}},
	{section: "image and boot", name: "Ringo command built alone: ", bench: "BenchmarkImage/alone/*", unit: "bytes", show: mb, shown: "MB"},
	{section: "image and boot", name: "u-root's commands (busybox binary without Ringo's)", bench: "BenchmarkImage/u-root-commands", unit: "bytes", show: mb, shown: "MB"},
	{section: "image and boot", name: "u-root cpio's other files", bench: "BenchmarkImage/u-root-rest", unit: "bytes", show: mb, shown: "MB"},
	{section: "image and boot", name: "modules, ", bench: "BenchmarkImage/modules-*", unit: "bytes", show: mb, shown: "MB"},
	{section: "image and boot", name: "PulseAudio", bench: "BenchmarkImage/pulseaudio", unit: "bytes", show: mb, shown: "MB"},
	{section: "image and boot", name: "image, ", bench: "BenchmarkImage/total-*", unit: "bytes", show: mb, shown: "MB"},
	{section: "image and boot", name: "image build (u-root, full rebuild)", bench: "BenchmarkImageBuild", unit: "s"},
	{section: "image and boot", name: "QEMU start → banner, median of 5", bench: "BenchmarkBootToBanner", unit: "banner-s", shown: "s"},
	{section: "image and boot", name: "QEMU start → asterisk Home, median of 5", bench: "BenchmarkBootToHome", unit: "home-s", shown: "s", goal: goal{"<=", 3.0}},
	{section: "image and boot", name: "· guest uptime at uinit", bench: "BenchmarkBootToHome", unit: "uinit-s", shown: "s"},
	{section: "image and boot", name: "· modules loaded", bench: "BenchmarkBootToHome", unit: "modules-s", shown: "s"},
	{section: "image and boot", name: "· banner", bench: "BenchmarkBootToHome", unit: "guest-banner-s", shown: "s"},
	{section: "image and boot", name: "· phoned started", bench: "BenchmarkBootToHome", unit: "phoned-s", shown: "s"},
	{section: "image and boot", name: "· asterisk service published", bench: "BenchmarkBootToHome", unit: "service-s", shown: "s"},
	{section: "image and boot", name: "· asterisk Home", bench: "BenchmarkBootToHome", unit: "guest-home-s", shown: "s"},

	// IAX2.
	{section: "IAX2", name: "mini frame Unmarshal", bench: "BenchmarkMiniFrameUnmarshal", unit: "ns/op", shown: "ns", goal: goal{"<=", 5}},
	{section: "IAX2", name: "mini frame Unmarshal allocs", bench: "BenchmarkMiniFrameUnmarshal", unit: "allocs/op", goal: goal{"<=", 0}},
	{section: "IAX2", name: "mini frame MarshalTo", bench: "BenchmarkMiniFrameMarshalTo", unit: "ns/op", shown: "ns", goal: goal{"<=", 10}},
	{section: "IAX2", name: "full frame Unmarshal (reused)", bench: "BenchmarkFullFrameUnmarshal", unit: "ns/op", shown: "ns", goal: goal{"<=", 60}},
	{section: "IAX2", name: "full frame Unmarshal allocs", bench: "BenchmarkFullFrameUnmarshal", unit: "allocs/op", goal: goal{"<=", 0}},
	{section: "IAX2", name: "full frame MarshalTo", bench: "BenchmarkFullFrameMarshalTo", unit: "ns/op", shown: "ns", goal: goal{"<=", 150}},
	{section: "IAX2", name: "full frame Unmarshal (fresh)", bench: "BenchmarkFullFrameUnmarshalFresh", unit: "ns/op", shown: "ns", goal: goal{"<=", 500}},
	{section: "IAX2", name: "mini frame encrypted + decrypted", bench: "BenchmarkMiniFrameEncrypted", unit: "ns/op", shown: "ns", goal: goal{"<=", 1910}},
	{section: "IAX2", name: "full voice frame encrypted + decrypted", bench: "BenchmarkFullVoiceEncrypted", unit: "ns/op", shown: "ns", goal: goal{"<=", 1860}},
	{section: "IAX2", name: "iaxpbx loss, ", bench: "BenchmarkEchoCalls/*", unit: "loss-%", shown: "%"},
	{section: "IAX2", name: "iaxpbx loss at 3000 calls", bench: "BenchmarkEchoCalls/calls=3000", unit: "loss-%", shown: "%", goal: goal{"<=", 0}},
	{section: "IAX2", name: "iaxpbx CPU per echoed frame, ", bench: "BenchmarkEchoCalls/*", unit: "pbx-us/frame", shown: "µs", goal: goal{"<=", 4}},
	{section: "IAX2", name: "iaxpbx frames/s per core, ", bench: "BenchmarkEchoCalls/*", unit: "frames/s-per-core"},
	{section: "IAX2", name: "iaxpbx system calls per frame, ", bench: "BenchmarkEchoCalls/*", unit: "syscalls/frame"},
	{section: "IAX2", name: "encrypted iaxpbx loss, ", bench: "BenchmarkEchoCallsEncrypted/*", unit: "loss-%", shown: "%"},
	{section: "IAX2", name: "iaxcli listen idle", bench: "BenchmarkIdleWakeups", unit: "wakeups/min", goal: goal{"<=", 120}},

	// The phone library and phoned.
	{section: "phone library and phoned", name: "value-space set → notification p50", bench: "BenchmarkSetNotifyLatency", unit: "p50-ns", show: us, shown: "µs", goal: goal{"<=", 24}},
	{section: "phone library and phoned", name: "value-space set → notification p99", bench: "BenchmarkSetNotifyLatency", unit: "p99-ns", show: us, shown: "µs", goal: goal{"<=", 240}},
	{section: "phone library and phoned", name: "the same, a stalled subscriber, p50", bench: "BenchmarkSetNotifyLatencyStalledPeer", unit: "p50-ns", show: us, shown: "µs", goal: goal{"<=", 24}},
	{section: "phone library and phoned", name: "across processes (two hops) p50", bench: "BenchmarkSetNotifyCrossProcess", unit: "p50-ns", show: us, shown: "µs", goal: goal{"<=", 140}},
	{section: "phone library and phoned", name: "across processes (two hops) p99", bench: "BenchmarkSetNotifyCrossProcess", unit: "p99-ns", show: us, shown: "µs", goal: goal{"<=", 545}},
	{section: "phone library and phoned", name: "qcop messages over the bus", bench: "BenchmarkQCopThroughput", unit: "msgs/s", goal: goal{">=", 170000}},
	{section: "phone library and phoned", name: "in-memory tree set + notify", bench: "BenchmarkSetNotify", unit: "ns/op", shown: "ns", goal: goal{"<=", 1400}},
	{section: "phone library and phoned", name: "in-memory tree set + notify allocs", bench: "BenchmarkSetNotify", unit: "allocs/op", goal: goal{"<=", 4}},
	{section: "phone library and phoned", name: "phoned idle wakeups", log: regexp.MustCompile(`phoned idle: RSS \d+ KiB, ([\d.]+) wakeups/min`), shown: "/min"},
	{section: "phone library and phoned", name: "phoned idle RSS", log: regexp.MustCompile(`phoned idle: RSS (\d+) KiB`), shown: "KiB", goal: goal{"<=", 6861}},

	// Call audio.
	{section: "call audio", name: "G.711 μ-law encode + decode, 160 samples", bench: "BenchmarkG711Frame/ulaw/ringo", unit: "ns/op", shown: "ns", goal: goal{"<=", 120}},
	{section: "call audio", name: "G.711 A-law encode + decode, 160 samples", bench: "BenchmarkG711Frame/alaw/ringo", unit: "ns/op", shown: "ns", goal: goal{"<=", 140}},
	{section: "call audio", name: "G.711 allocs", bench: "BenchmarkG711Frame/ulaw/ringo", unit: "allocs/op", goal: goal{"<=", 0}},
	{section: "call audio", name: "jitter buffer Put + Get", bench: "BenchmarkJitterFrame", unit: "ns/op", shown: "ns", goal: goal{"<=", 120}},
	{section: "call audio", name: "arrival → PulseAudio, mean, ", bench: "BenchmarkCallPulse/*", unit: "delay-ms", shown: "ms", goal: goal{"<=", 40}},
	{section: "call audio", name: "arrival → PulseAudio, worst, ", bench: "BenchmarkCallPulse/*", unit: "delay-max-ms", shown: "ms", goal: goal{"<=", 48}},
	{section: "call audio", name: "pipeline CPU, ", bench: "BenchmarkCallPulse/*", unit: "cpu-%", shown: "%", goal: goal{"<=", 5.6}},

	// The Asterisk agent.
	{section: "agent", name: "iaxagent in a call, wakeups", bench: "BenchmarkAgentCall", unit: "wakeups/s", shown: "/s", goal: goal{"<=", 100}},
	{section: "agent", name: "iaxagent in a call, CPU", bench: "BenchmarkAgentCall", unit: "%cpu", shown: "%", goal: goal{"<=", 2}},
	{section: "agent", name: "an idle Go program (the floor), wakeups", bench: "BenchmarkAgentCall", unit: "floor-wakeups/s", shown: "/s"},
	{section: "agent", name: "iaxagent idle, registered, wakeups", bench: "BenchmarkAgentIdle", unit: "wakeups/min", shown: "/min"},
	{section: "agent", name: "an idle Go program (the floor), wakeups", bench: "BenchmarkAgentIdle", unit: "floor-wakeups/min", shown: "/min"},
	{section: "agent", name: "stack start → Home, median", log: regexp.MustCompile(`phoned start → Home: median (\S+) of`), shown: "ms", goal: goal{"<=", 112}},
	{section: "agent", name: "phonectl dial 600 → Connected, median", log: regexp.MustCompile(`dial → Connected \(phonectl round trips included\): median (\S+) of`), shown: "ms", goal: goal{"<=", 75}},

	// The guest's sound and the phone UI.
	{section: "sound in the guest", name: "PulseAudio in a call, of a guest core", log: regexp.MustCompile(`cores: PulseAudio ([\d.]+)%`), shown: "%"},
	{section: "sound in the guest", name: "the agent in a call, of a guest core", log: regexp.MustCompile(`cores: PulseAudio [\d.]+%, the agent ([\d.]+)%`), shown: "%"},
	{section: "phone UI", name: "key press → terminal updated, median", log: regexp.MustCompile(`key press → terminal updated: median (\S+),`), shown: "ms"},
}
