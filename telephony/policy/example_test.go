package policy_test

import (
	"fmt"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/policy"
)

func ExampleDecide() {
	cfg := policy.DefaultConfig()
	modem := policy.NewModemManager(policy.ModemRule{Emergency: cfg.Emergency})
	modem.SetRegistrationState(telephony.RegistrationHome)
	asterisk := policy.NewAsteriskManager(policy.AsteriskRule{Emergency: cfg.Emergency})
	asterisk.SetRegistrationState(telephony.RegistrationHome)
	managers := []policy.Manager{asterisk, modem}

	d := policy.Decide("2001", managers, cfg)
	fmt.Println(d.Outcome, len(d.Candidates))
	m, err := d.Resolve("Asterisk") // e.g. phonectl dial -type Asterisk 2001
	fmt.Println(m.Service(), err)

	d = policy.Decide("112", managers, cfg)
	fmt.Println(d.Outcome, d.Manager.Service())

	modem.SetFlightMode(true)
	d = policy.Decide("112", managers, cfg)
	fmt.Println(d.Err())
	// Output:
	// Choose 2
	// asterisk <nil>
	// Dial modem
	// policy: call rejected by modem: Flight mode is on: emergency calls cannot be placed. Turn flight mode off to call 112.
}
