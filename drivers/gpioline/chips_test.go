package gpioline_test

import (
	"errors"
	"testing"

	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/gpioline/gpiolinetest"
	"periph.io/x/conn/v3/gpio"
)

func testChips(t *testing.T) (*gpioline.Chips, *gpiolinetest.Chip, *gpiolinetest.Chip) {
	sim := gpiolinetest.NewChip(t, "ringo-board", nil, "FLIGHT_MODE", "PWRKEY", "STATUS")
	pio := gpiolinetest.NewChip(t, "1c20800.pinctrl", nil, "", "", "", "")
	return gpioline.NewChips(sim, pio), sim, pio
}

func TestFind(t *testing.T) {
	chips, sim, pio := testChips(t)
	for _, tc := range []struct {
		s    gpioline.Spec
		want gpio.PinIO
	}{
		{gpioline.Spec{Name: "PWRKEY"}, sim.Pin("PWRKEY")},
		{gpioline.Spec{Name: "STATUS", Chip: "ringo-board"}, sim.Pin("STATUS")},
		{gpioline.Spec{Chip: "1c20800.pinctrl", Offset: 3}, pio.At(3)},
		{gpioline.Spec{Chip: "ringo-board", Offset: 0}, sim.Pin("FLIGHT_MODE")},
	} {
		got, err := chips.Find(tc.s)
		if err != nil || got != tc.want {
			t.Errorf("Find(%+v) = %v, %v; want %v", tc.s, got, err, tc.want)
		}
	}
}

// The messages say what is missing and what is there.
func TestFindErrors(t *testing.T) {
	chips, _, _ := testChips(t)
	for _, tc := range []struct {
		s    gpioline.Spec
		is   error
		want string
	}{
		{gpioline.Spec{Name: "RESET", Chip: "ringo-board"}, gpioline.ErrNotFound,
			"line RESET not found on chip ringo-board (its named lines: FLIGHT_MODE, PWRKEY, STATUS)"},
		{gpioline.Spec{Name: "RESET"}, gpioline.ErrNotFound,
			`line RESET not found on any GPIO chip (chips: fake-1c20800.pinctrl "1c20800.pinctrl", fake-ringo-board "ringo-board")`},
		{gpioline.Spec{Chip: "1f02c00.pinctrl", Offset: 7}, gpioline.ErrNotFound,
			`chip 1f02c00.pinctrl not found (chips: fake-1c20800.pinctrl "1c20800.pinctrl", fake-ringo-board "ringo-board")`},
		{gpioline.Spec{Chip: "1c20800.pinctrl", Offset: 4}, gpioline.ErrNotFound,
			"line 4 not found on chip 1c20800.pinctrl: it has 4 lines"},
		{gpioline.Spec{Name: "X", Chip: "1c20800.pinctrl"}, gpioline.ErrNotFound,
			"line X not found on chip 1c20800.pinctrl (its named lines: none: name this chip's lines by offset)"},
		{gpioline.Spec{}, gpioline.ErrBadSpec, "gpioline: bad line spec: no line name and no chip label (give the line's name, or its chip's label and offset)"},
	} {
		_, err := chips.Find(tc.s)
		if !errors.Is(err, tc.is) || err.Error() != tc.want {
			t.Errorf("Find(%+v) = %v\nwant %q", tc.s, err, tc.want)
		}
	}

	dup := gpioline.NewChips(
		gpiolinetest.NewChip(t, "a", nil, "STATUS"),
		gpiolinetest.NewChip(t, "b", nil, "fake-b-STATUS"), // periph's rename of a duplicate
	)
	_, err := dup.Find(gpioline.Spec{Name: "STATUS"})
	if !errors.Is(err, gpioline.ErrAmbiguous) || err.Error() != "gpioline: line name on several chips: line STATUS is on chips a, b: name the chip" {
		t.Errorf("Find(duplicate name) = %v", err)
	}
	if _, err := dup.Find(gpioline.Spec{Name: "STATUS", Chip: "b"}); err != nil {
		t.Errorf("Find(STATUS on b) = %v", err)
	}
}

func TestOpenOnceAtATime(t *testing.T) {
	chips, sim, _ := testChips(t)
	in, err := chips.OpenInput(gpioline.Spec{Name: "STATUS"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chips.OpenOutput(gpioline.Spec{Chip: "ringo-board", Offset: 2}, false); !errors.Is(err, gpioline.ErrBusy) ||
		err.Error() != "gpioline: line already open: line ringo-board:2 is already open as STATUS" {
		t.Errorf("second open = %v, want ErrBusy", err)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if !sim.Pin("STATUS").Released() {
		t.Error("Close did not release the pin")
	}
	// A released line opens again; the fake refuses an output on a line
	// once configured as an input, so open another one as the output.
	out, err := chips.OpenOutput(gpioline.Spec{Name: "PWRKEY"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Pin("PWRKEY").Level() != gpio.High {
		t.Error("PWRKEY opened active (high) is low")
	}
	out.Close()

	list, err := chips.List()
	if err != nil || len(list) != 2 || list[0].Label != "ringo-board" || len(list[0].Lines) != 3 || list[0].Lines[1] != "PWRKEY" {
		t.Errorf("List() = %+v, %v", list, err)
	}
}
