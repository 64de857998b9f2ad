// Package policy decides which telephony service places an outgoing call.
//
// It re-creates Qt Extended's call policy managers (QAbstractCallPolicyManager).
// phoned runs one Manager per service ("modem", "asterisk", ...). Each
// Manager reports its call type, display name, icons, registration state and
// message, and answers Handling(number) for a dialled number:
//
//	CannotHandle  the service cannot place this call now
//	CanHandle     the service can place it
//	MustHandle    the service must place it (emergency numbers on a modem)
//	NeverHandle   the service would normally have to place it, but cannot
//	              right now (emergency numbers in flight mode): reject at once
//
// Decide turns the answers of all managers into a Decision that does not
// depend on the order in which the managers are passed:
//
//  1. any MustHandle wins; several are ranked by the configured Priority
//     (services not listed rank after those listed, by service name);
//  2. otherwise any NeverHandle rejects the call with that manager's
//     registration message (several: the best ranked one);
//  3. otherwise the CanHandle set decides: none gives OutcomeNoNetwork with
//     every manager's registration message, one gives OutcomeDial, several
//     give OutcomeChoose with the candidates, and the caller asks the user
//     (phonectl prompts, or takes an explicit call type: Decision.Resolve).
//
// AsteriskRule and ModemRule hold the handling rules of the two services the
// firmware ships; AsteriskManager and ModemManager are ready-made, safe for
// concurrent use Managers built on them, whose state phoned updates from the
// value space.
//
// Configuration comes from <config>/Telephony.conf:
//
//	[Policy]
//	Priority = modem, asterisk
//	EmergencyNumbers = 112, 911, 08, 000, 999, 110, 118, 119
//	[Managers]
//	voip2 = asterisk
//
// Which manager a service gets is data: the [Managers] section maps a
// service to a Kind (asterisk, modem or generic), and the reserved service
// names "asterisk" and "modem" get their own kind by default
// (Config.ManagerKind, NewManager). The phone server feeds each manager its
// Inputs (registration state, flight mode, call types, emergency
// capability). Managers that are Reasoners say in words why they refuse a
// number, and Decision.Err carries those words to the person who dialled.
//
// The registration state is the telephony package's RegistrationState, the
// one type the whole library uses.
//
// The package is pure: no I/O except LoadConfig, no goroutines, no timers.
package policy
