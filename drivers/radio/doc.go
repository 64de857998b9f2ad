// Package radio powers a handset's cellular modem up and down on GPIO
// lines, modelled on the PinePhone's Quectel EG25-G: VBAT_EN (the
// modem's supply), PWRKEY (its power button), RESET, W_DISABLE (RF off:
// airplane) and STATUS (an input: the modem says it is powered), with
// DTR, AP_READY and RI where the board has them. It knows no AT commands
// and no telephony: drivers/modem speaks to the modem once it is on, and
// phoned decides when it should be.
//
// The sequences (Timing holds their lengths; EG25G the module's):
//
//	power on   VBAT on, wait VBATSettle (≥ 30 ms), PWRKEY asserted for
//	           PowerOnPulse (550 ms), then STATUS must say powered within
//	           PowerOnTimeout (10 s); otherwise VBAT is cut and the radio
//	           is failed
//	power off  PWRKEY asserted for PowerOffPulse (800 ms), then STATUS must
//	           say off within PowerOffTimeout (30 s); VBAT is cut either
//	           way (a reset pulse restarts the modem, it does not power it
//	           off)
//	reset      RESET asserted for ResetPulse (150–460 ms)
//	airplane   W_DISABLE asserted; the modem stays powered
//
// Every level is the board's (the PinePhone's STATUS is low when the
// modem is on), every wait runs on an injected Clock, and every failure
// says what was seen: "modem did not power up: STATUS still high 10s
// after PWRKEY". The states are the value space's /Hardware/Radio/Power
// strings: off, powering-up, on, powering-down, airplane, failed; the
// transitions are in power_fsm.go. A cancelled sequence never leaves
// PWRKEY or RESET asserted.
//
// Radio is the interface phoned uses; GPIO implements it. Package
// radiotest holds a scripted fake for other packages' tests.
package radio
