package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/drivers/codec"
	"github.com/ringo-phone/ringo/drivers/flightmode"
	"github.com/ringo-phone/ringo/drivers/keypad"
	"github.com/ringo-phone/ringo/drivers/radio"
	"github.com/ringo-phone/ringo/drivers/smbus"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// The hardware's entries (phoneapi names them for the clients).
const (
	HardwareFlightModePath  = phoneapi.HardwareFlightModePath
	HardwareRadioPowerPath  = phoneapi.HardwareRadioPowerPath
	HardwareRadioStatusPath = phoneapi.HardwareRadioStatusPath
	HardwareCodecRoutePath  = phoneapi.HardwareCodecRoutePath
	HardwareCodecVolumePath = phoneapi.HardwareCodecVolumePath
	HardwareCodecMicPath    = phoneapi.HardwareCodecMicPath
	HardwareKeypadDevPath   = phoneapi.HardwareKeypadDevPath
	HardwareKeypadDigitPath = phoneapi.HardwareKeypadDigitPath
	HardwareProblemsPath    = phoneapi.HardwareProblemsPath
	HardwareBoardPath       = phoneapi.HardwareBoardPath
)

// FlightRequestFile holds the software flight request ("on" or "off") in
// the state directory, so that it survives a reboot.
const FlightRequestFile = "flight-request"

// Hardware is the handset's hardware as phoned drives it.
type Hardware struct {
	// Board is the board to bring up; the zero value is board.Host (no
	// hardware: a software flight switch, no radio, codec or keys).
	Board board.Board
	// Openers reach the hardware; phoned fills in the codec and keypad
	// openers it lacks with the drivers' (TLV320AIC3104 over SMBus, evdev).
	Openers board.Openers
	// Codec and Keypads, when set, are used instead of opening the board's
	// (tests hand phoned the drivers' fakes).
	Codec   codec.Codec
	Keypads []keypad.Keypad
}

// hardware is phoned's running hardware. Its fields are touched only on
// the dispatch goroutine, except where said; the drivers' blocking
// operations run in order, never on the dispatch goroutine: the radio's
// on work, the codec's on audio, so a radio waiting seconds for its
// STATUS line does not hold a connected call's earpiece silent.
type hardware struct {
	parts   *board.Parts
	report  board.Report
	codec   codec.Codec
	keypads []keypad.Keypad
	work    *eventQueue // the radio's operations
	audio   *eventQueue // the codec's operations
	// radioCancel ends the radio operation radioTo last posted.
	radioCancel context.CancelFunc
	ctx         context.Context
	cancel      context.CancelFunc
	stopped     chan struct{} // closed when the readers have stopped
	readers     int

	switchOn bool // the hardware switch's position
	request  bool // the software request
	digits   string
	volume   int
	route    codec.Route // the codec's route while powered, RouteOff when down
	mic      bool        // mic muted
	closers  []io.Closer
}

// requestPath is where the flight request is kept.
func (s *Server) requestPath() string {
	// Without a state directory the request is kept in the runtime one,
	// and lost at reboot.
	dir := s.opts.State
	if dir == "" {
		dir = s.opts.Runtime
	}
	return filepath.Join(dir, FlightRequestFile)
}

// startHardware opens the board and starts following its parts. A part
// that fails is reported and left out; only bad board data is an error.
func (s *Server) startHardware() error {
	o := s.opts.Hardware
	b := o.Board
	if b.Name == "" {
		b = board.Host
	}
	h := &hardware{work: newEventQueue(), audio: newEventQueue(), stopped: make(chan struct{}), volume: codec.DefaultVolume, mic: true}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	op := o.Openers
	if op.Clock == nil {
		op.Clock = s.opts.Clock
	}
	if op.Codec == nil && o.Codec == nil {
		op.Codec = func(ctx context.Context, c board.Codec) (io.Closer, error) {
			cd, closer, err := openCodec(ctx, c)
			if err == nil {
				h.codec = cd
			}
			return closer, err
		}
	}
	if op.Keypad == nil && o.Keypads == nil {
		op.Keypad = func(ctx context.Context, k board.Keypad) (io.Closer, error) {
			kp, err := keypad.Open(ctx, k.Device, k.Keymap, s.opts.Clock)
			if err == nil {
				h.keypads = append(h.keypads, kp)
			}
			return kp, err
		}
	}
	parts, rep, err := board.Open(context.Background(), b, op)
	if err != nil {
		return fmt.Errorf("%w: board %s: %w", ErrConfig, b.Name, err)
	}
	h.parts, h.report = parts, rep
	if o.Codec != nil {
		h.codec = o.Codec
	}
	h.keypads = append(h.keypads, o.Keypads...)
	s.hw = h
	for _, st := range rep.Steps {
		args := []any{"board", rep.Board, "part", st.What, "outcome", st.Outcome.String(), "took", st.Took}
		if st.Err != nil {
			args = append(args, "reason", st.Err.Error())
		}
		if st.Outcome == board.Failed {
			s.log.Warn("hardware part failed: phoned runs without it", args...)
		} else {
			s.log.Info("hardware part", args...)
		}
	}
	h.request = s.readRequest()
	h.switchOn = parts.FlightHardware && parts.Flight.Position() == flightmode.On
	ops := []vs.Op{
		vs.SetOp(HardwareBoardPath, vs.String(rep.Board)),
		vs.SetOp(HardwareProblemsPath, vs.Strings(rep.Problems()...)),
	}
	if parts.FlightHardware {
		ops = append(ops, vs.SetOp(HardwareFlightModePath, vs.Bool(h.switchOn)))
	}
	if h.codec != nil {
		ops = append(ops, vs.SetOp(HardwareCodecRoutePath, vs.String(codec.RouteOff.String())),
			vs.SetOp(HardwareCodecVolumePath, vs.Int(int64(h.volume))), vs.SetOp(HardwareCodecMicPath, vs.Bool(true)))
	}
	if len(h.keypads) > 0 {
		ops = append(ops, vs.SetOp(HardwareKeypadDevPath, vs.String(keypadDevices(h.keypads))),
			vs.SetOp(HardwareKeypadDigitPath, vs.String("")))
	}
	if parts.Radio != nil {
		ops = append(ops, vs.SetOp(HardwareRadioPowerPath, vs.String(string(parts.Radio.State()))))
		if p, err := parts.Radio.Powered(); err == nil {
			ops = append(ops, vs.SetOp(HardwareRadioStatusPath, vs.Bool(p)))
		}
	}
	s.apply(ops...)
	s.flight = h.switchOn || h.request
	s.apply(vs.SetOp(telephony.FlightModePath, vs.Bool(s.flight)))
	s.log.Info("flight mode", "on", s.flight, "switch", h.switchOn, "request", h.request, "hardwareSwitch", parts.FlightHardware)
	go h.work.run()
	go h.audio.run()
	h.radioTo(s.flight)
	s.readHardware()
	return nil
}

// keypadDevices names the open keypads' devices.
func keypadDevices(ks []keypad.Keypad) string {
	var names []string
	for _, k := range ks {
		if d := k.Device(); d != "" {
			names = append(names, d)
		}
	}
	return strings.Join(names, ",")
}

// openCodec opens the board's codec over SMBus and checks that it answers.
func openCodec(ctx context.Context, c board.Codec) (codec.Codec, io.Closer, error) {
	if c.Model != "tlv320aic3104" {
		return nil, nil, fmt.Errorf("no driver for codec model %q (phoned drives tlv320aic3104)", c.Model)
	}
	var bus *smbus.Bus
	var err error
	if c.Adapter != "" {
		bus, err = smbus.OpenByName(c.Adapter)
	} else {
		bus, err = smbus.Open(c.Bus)
	}
	if err != nil {
		return nil, nil, err
	}
	cd, err := codec.NewTLV320AIC3104(bus, c.Addr)
	if err == nil {
		err = cd.Probe(ctx)
	}
	if err != nil {
		bus.Close()
		return nil, nil, err
	}
	return cd, bus, nil
}

// readHardware starts one goroutine per event source (switch, radio,
// keypads); each posts to the dispatch goroutine and stops on close.
func (s *Server) readHardware() {
	h := s.hw
	var done []<-chan struct{}
	start := func(f func()) {
		ch := make(chan struct{})
		done = append(done, ch)
		go func() { defer close(ch); f() }()
	}
	if h.parts.FlightHardware {
		sw := h.parts.Flight
		start(func() {
			for e := range sw.Events() {
				s.events.post(func() { s.onSwitch(e.Position == flightmode.On) })
			}
		})
	}
	if r := h.parts.Radio; r != nil {
		start(func() {
			for c := range r.Changes() {
				s.events.post(func() { s.onRadio(c) })
			}
		})
	}
	for _, k := range h.keypads {
		start(func() {
			for e := range k.Events() {
				s.events.post(func() { s.onKey(k, e) })
			}
		})
	}
	go func() {
		for _, d := range done {
			<-d
		}
		close(h.stopped)
	}()
}

// stopHardware closes the parts (which closes their event channels) and
// waits for the readers and the work queue.
func (s *Server) stopHardware() {
	h := s.hw
	if h == nil {
		return
	}
	h.cancel()
	h.work.close()
	h.audio.close()
	<-h.work.done
	<-h.audio.done
	for _, k := range s.opts.Hardware.Keypads {
		k.Close()
	}
	if err := h.parts.Close(); err != nil {
		s.log.Warn("closing the hardware", "err", err)
	}
	<-h.stopped
}

// readRequest reads the persisted software flight request (off when
// there is none).
func (s *Server) readRequest() bool {
	b, err := os.ReadFile(s.requestPath())
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("flight request unreadable: flight mode starts off", "file", s.requestPath(), "err", err)
		}
		return false
	}
	return strings.TrimSpace(string(b)) == "on"
}

// writeRequest persists the software flight request (temp file, rename).
func (s *Server) writeRequest(on bool) error {
	p := s.requestPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	v := "off\n"
	if on {
		v = "on\n"
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(v), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// ErrFlightSwitchOn refuses turning flight mode off while the hardware
// switch is on.
var ErrFlightSwitchOn = errors.New("the flight-mode switch is on: flight mode stays on until the switch is turned off")

// SetFlightRequest records the software flight request (phonectl flight
// on|off) and applies the effective mode. Turning it off while the
// hardware switch is on records the request and says the switch wins.
// Call it on the dispatch goroutine.
func (s *Server) SetFlightRequest(on bool) error {
	h := s.hw
	h.request = on
	err := s.writeRequest(on)
	if err != nil {
		s.log.Warn("flight request not kept: it is lost at reboot", "file", s.requestPath(), "err", err)
	}
	if sw := h.parts.FlightSoftware; sw != nil && !h.parts.FlightHardware {
		pos := flightmode.Off
		if on {
			pos = flightmode.On
		}
		sw.Set(pos)
	}
	s.applyFlight()
	if !on && h.switchOn {
		return ErrFlightSwitchOn
	}
	return nil
}

func (s *Server) onSwitch(on bool) {
	s.hw.switchOn = on
	s.apply(vs.SetOp(HardwareFlightModePath, vs.Bool(on)))
	s.applyFlight()
}

// applyFlight computes the effective flight mode, feeds every manager
// synchronously (the next request sees it), publishes it and moves the
// radio.
func (s *Server) applyFlight() {
	h := s.hw
	on := h.switchOn || h.request
	s.mu.Lock()
	changed := s.flight != on
	s.flight = on
	for _, st := range s.services {
		s.feedManagerLocked(st)
	}
	if s.noModem != nil {
		s.feedNoModemLocked()
	}
	s.mu.Unlock()
	s.apply(vs.SetOp(telephony.FlightModePath, vs.Bool(on)))
	if changed {
		s.log.Info("flight mode", "on", on, "switch", h.switchOn, "request", h.request)
		h.radioTo(on)
	}
}

// radioTo moves the radio to airplane and off (flight on) or back on.
// The newest flight mode wins: the operation posted before is cancelled,
// so a power-up still waiting (seconds) for STATUS ends at once, instead
// of holding the switch's next positions back in the queue.
func (h *hardware) radioTo(flight bool) {
	r := h.parts.Radio
	if r == nil {
		return
	}
	if h.radioCancel != nil {
		h.radioCancel()
	}
	ctx, cancel := context.WithCancel(h.ctx)
	h.radioCancel = cancel
	h.work.post(func() {
		defer cancel()
		var err error
		if flight {
			err = errors.Join(r.SetAirplane(ctx, true), r.PowerOff(ctx))
		} else {
			err = r.SetAirplane(ctx, false)
			if err == nil {
				err = r.PowerOn(ctx)
			}
		}
		_ = err // a failure is a change to failed, reported by onRadio
	})
}

func (s *Server) onRadio(c radio.Change) {
	ops := []vs.Op{vs.SetOp(HardwareRadioPowerPath, vs.String(string(c.To)))}
	if p, err := s.hw.parts.Radio.Powered(); err == nil {
		ops = append(ops, vs.SetOp(HardwareRadioStatusPath, vs.Bool(p)))
	}
	s.apply(ops...)
	if c.Err != nil {
		s.log.Warn("radio", "from", string(c.From), "to", string(c.To), "err", c.Err)
	} else {
		s.log.Info("radio", "from", string(c.From), "to", string(c.To))
	}
}

// followCalls makes the codec follow the live calls: a connected call
// powers it on the earpiece with the microphone on; calls only on hold
// mute the microphone; no call powers it down. Call it on the dispatch
// goroutine after the call list changed.
func (s *Server) followCalls(live []telephony.CallInfo) {
	h := s.hw
	if h == nil || h.codec == nil {
		return
	}
	connected, held := false, false
	for _, c := range live {
		switch c.State {
		case telephony.CallConnected:
			connected = true
		case telephony.CallHold:
			held = true
		}
	}
	route, mic := codec.RouteOff, true
	switch {
	case connected:
		route, mic = codec.RouteEarpiece, false
	case held:
		route, mic = codec.RouteEarpiece, true
	}
	if route == h.route && mic == h.mic {
		return
	}
	was := h.route
	h.route, h.mic = route, mic
	s.apply(vs.SetOp(HardwareCodecRoutePath, vs.String(route.String())), vs.SetOp(HardwareCodecMicPath, vs.Bool(mic)))
	cd, log := h.codec, s.log
	h.audio.post(func() {
		var err error
		switch {
		case route == codec.RouteOff:
			err = cd.PowerDown(h.ctx)
		case was == codec.RouteOff:
			err = errors.Join(cd.Route(h.ctx, route), cd.SetMicMuted(h.ctx, mic), cd.PowerUp(h.ctx))
		default:
			err = errors.Join(cd.Route(h.ctx, route), cd.SetMicMuted(h.ctx, mic))
		}
		if err != nil {
			log.Warn("codec", "route", route.String(), "micMuted", mic, "err", err)
		}
	})
}

// setVolume changes the codec's output volume by step.
func (s *Server) setVolume(step int) {
	h := s.hw
	if h.codec == nil {
		return
	}
	v := min(100, max(0, h.volume+step))
	if v == h.volume {
		return
	}
	h.volume = v
	s.apply(vs.SetOp(HardwareCodecVolumePath, vs.Int(int64(v))))
	cd, log := h.codec, s.log
	h.audio.post(func() {
		if err := cd.SetVolume(h.ctx, v); err != nil {
			log.Warn("codec volume", "volume", v, "err", err)
		}
	})
}

// hardwareWait bounds the dialer's requests to the agents.
const hardwareWait = 5 * time.Second

// boardNames lists the known boards for the -board flag's help.
func boardNames() string {
	var names []string
	for _, b := range board.Known() {
		names = append(names, b.Name)
	}
	return strings.Join(names, ", ")
}

// pickBoard chooses the board: by name when one is given, else by the
// device tree below root, else the host board. how says which.
func pickBoard(name, root string) (b board.Board, how string, err error) {
	if name != "" {
		b, err = board.ByName(name)
		return b, "flag", err
	}
	compat, err := board.ReadCompatible(root)
	if err != nil {
		return board.Host, "no device tree", nil
	}
	if b, err := board.Lookup(compat); err == nil {
		return b, "device tree", nil
	}
	return board.Host, "device tree " + strings.Join(compat, ",") + " is no known board", nil
}
