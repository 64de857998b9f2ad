package qemu

import (
	"strings"
	"testing"
)

func TestArgsModemSocket(t *testing.T) {
	got := strings.Join(Config{Kernel: "k", Initrd: "i", ModemSocket: "/tmp/a,b/modem.sock"}.Args(""), " ")
	want := "-device virtio-serial-device -chardev socket,id=modem,path=/tmp/a,,b/modem.sock,server=off,reconnect=1 -device virtconsole,chardev=modem"
	if !strings.Contains(got, want) {
		t.Errorf("args lack the modem's virtio console %q:\n%s", want, got)
	}
	if got := strings.Join(Config{Kernel: "k", Initrd: "i"}.Args(""), " "); strings.Contains(got, "virtconsole") {
		t.Errorf("no ModemSocket, yet a virtio console:\n%s", got)
	}
}
