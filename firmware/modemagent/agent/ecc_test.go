package agent

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/drivers/modem"
)

// fakeSIM answers AT+CRSM from a table; any other command fails the test.
func fakeSIM(t *testing.T, answers map[string]modem.SIMResponse) (func(string) (modem.SIMResponse, error), *[]string) {
	var sent []string
	return func(cmd string) (modem.SIMResponse, error) {
		sent = append(sent, cmd)
		r, ok := answers[cmd]
		if !ok {
			t.Errorf("unexpected command %s", cmd)
			return modem.SIMResponse{}, errors.New("unexpected")
		}
		return r, nil
	}, &sent
}

func ok(data ...byte) modem.SIMResponse { return modem.SIMResponse{SW1: 0x90, Data: data} }

func TestReadECCUSIMRecords(t *testing.T) {
	fcp := []byte{0x62, 0x0b, 0x82, 0x05, 0x42, 0x21, 0x00, 0x04, 0x03, 0x80, 0x02, 0x00, 0x0c}
	send, sent := fakeSIM(t, map[string]modem.SIMResponse{
		"AT+CRSM=192,28599,0,0,15": ok(fcp...),
		"AT+CRSM=178,28599,1,4,4":  ok(0x99, 0xf9, 0xff, 0x00), // 999
		"AT+CRSM=178,28599,2,4,4":  ok(0xff, 0xff, 0xff, 0x00), // empty
		"AT+CRSM=178,28599,3,4,4":  ok(0x80, 0xff, 0xff, 0x00), // 08
	})
	got, err := readECC(send)
	if err != nil || !slices.Equal(got, []string{"999", "08"}) {
		t.Errorf("readECC = %q, %v; want 999 08 (sent %q)", got, err, *sent)
	}
}

func TestReadECCGSMTransparent(t *testing.T) {
	resp := make([]byte, 15)
	resp[3] = 9
	send, _ := fakeSIM(t, map[string]modem.SIMResponse{
		"AT+CRSM=192,28599,0,0,15": ok(resp...),
		"AT+CRSM=176,28599,0,0,9":  ok(0x11, 0xf2, 0xff, 0xff, 0xff, 0xff, 0x99, 0xf9, 0xff), // 112, empty, 999
	})
	got, err := readECC(send)
	if err != nil || !slices.Equal(got, []string{"112", "999"}) {
		t.Errorf("readECC = %q, %v; want 112 999", got, err)
	}
}

func TestReadECCRefused(t *testing.T) {
	send, _ := fakeSIM(t, map[string]modem.SIMResponse{
		"AT+CRSM=192,28599,0,0,15": {SW1: 0x6a, SW2: 0x82},
	})
	if got, err := readECC(send); err == nil || !strings.Contains(err.Error(), "6A 82") || got != nil {
		t.Errorf("readECC = %q, %v; want an error with the status words", got, err)
	}
}
