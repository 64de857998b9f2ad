package radio

import "fmt"

// State is the radio's power state; the strings are the value space's
// /Hardware/Radio/Power values.
type State string

const (
	// Off: VBAT cut (or never applied).
	Off State = "off"
	// PoweringUp: VBAT on, PWRKEY pulsed, waiting for STATUS.
	PoweringUp State = "powering-up"
	// On: STATUS says powered and W_DISABLE is released.
	On State = "on"
	// PoweringDown: PWRKEY pulsed, waiting for STATUS to say off.
	PoweringDown State = "powering-down"
	// Airplane: powered, with W_DISABLE asserted (RF off).
	Airplane State = "airplane"
	// Failed: the modem did not power up (VBAT has been cut), or VBAT
	// could not be cut.
	Failed State = "failed"
)

// transitions lists, for each state, the states it may move to: the
// power machine in one place. Every state change goes through enter.
var transitions = map[State][]State{
	Off:          {PoweringUp},
	PoweringUp:   {On, Airplane, Failed, Off}, // Off: cancelled, VBAT cut
	On:           {Airplane, PoweringDown},
	Airplane:     {On, PoweringDown},
	PoweringDown: {Off, Failed}, // Failed: VBAT could not be cut
	Failed:       {PoweringUp, Off},
}

func allowed(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// enter moves the machine to state to, announcing the change with why
// (nil for a change that is no failure). The caller holds r.mu.
func (r *GPIO) enter(to State, why error) error {
	from := r.state
	if from == to {
		return nil
	}
	if !allowed(from, to) {
		return fmt.Errorf("radio: internal error: %s → %s is not a transition of the power machine", from, to)
	}
	r.state = to
	if !r.closed {
		sendChange(r.changes, Change{From: from, To: to, At: r.clk.Now(), Err: why})
	}
	return nil
}

// poweredState is the state of a powered modem: on, or airplane while
// W_DISABLE is asserted. The caller holds r.mu.
func (r *GPIO) poweredState() State {
	if r.airplane {
		return Airplane
	}
	return On
}
