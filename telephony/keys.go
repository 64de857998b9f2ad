package telephony

import vs "github.com/ringo-phone/ringo/telephony/valuespace"

// Interface names an interface of a service; the names are Qt Extended's
// class names and appear in value-space paths and channel names.
type Interface string

// Interfaces.
const (
	NetworkRegistrationInterface Interface = "QNetworkRegistration"
	ConfigurationInterface       Interface = "QTelephonyConfiguration"
	ServiceCheckerInterface      Interface = "QServiceChecker"
	CallProviderInterface        Interface = "QPhoneCallProvider"
	PresenceInterface            Interface = "QPresence"
)

// Interfaces lists every interface in a fixed order.
func Interfaces() []Interface {
	return []Interface{NetworkRegistrationInterface, ConfigurationInterface,
		ServiceCheckerInterface, CallProviderInterface, PresenceInterface}
}

// Value-space paths and names (see ARCHITECTURE.md, Contracts).
const (
	CommunicationsPath = "/Communications"
	// CallTypesPath holds one string list per service.
	CallTypesPath = "/Communications/QPhoneCallProvider/CallTypes"
	// CallsPath holds phoned's call list, /Communications/Calls/<id>/...
	CallsPath = "/Communications/Calls"
	// MissedCallsPath is the number of missed calls [int].
	MissedCallsPath = "/Communications/Calls/MissedCalls"
	// StatusPath holds the policy managers' status per service.
	StatusPath = "/Telephony/Status"
	// FlightModePath is the flight-mode switch [bool].
	FlightModePath = "/Telephony/Status/FlightMode"

	KeyRequestChannel    = "requestChannel"
	KeyResponseChannel   = "responseChannel"
	KeyRegistrationState = "registrationState"
	KeyOperatorMode      = "operatorMode"
	KeyCurrentOperator   = "currentOperator"
	KeyOperatorID        = "currentOperatorId"
	KeyTechnology        = "currentOperatorTechnology"
	// KeyRegistrationProblem says in words what keeps a service from
	// registering ("no answer from 10.0.2.2:4570 since 12:00:03"); "" when
	// nothing does.
	KeyRegistrationProblem = "registrationProblem"
	KeyValid               = "valid"
	KeyLocalPresence       = "localPresence"
	KeyRegistrationMsg     = "registrationMessage"
	KeyIcon                = "icon"

	// Keys below /Communications/Calls/<id>/.
	KeyCallState     = "state"
	KeyCallNumber    = "number"
	KeyCallService   = "service"
	KeyCallType      = "callType"
	KeyCallStartTime = "startTime"
	KeyCallActions   = "actions"
	KeyCallName      = "name"   // the remote party's name, when known
	KeyCallReason    = "reason" // why an ended call ended, when known

	// KeyAudio, below /Communications/QPhoneCallProvider/<service>/, holds
	// the active call's audio while it has any, refreshed at most once a
	// second and removed when it ends; the keys below it follow.
	KeyAudio = "audio"
	// KeyAudioCall is the call's id; KeyAudioDevice what plays and records
	// it ("pulse", "null (PulseAudio not available: ...)").
	KeyAudioCall   = "call"
	KeyAudioDevice = "device"
	// Voice frames sent and received; received frames' playout slots that
	// were lost, frames that came too late, and frames concealed [int].
	KeyAudioSent      = "sent"
	KeyAudioReceived  = "received"
	KeyAudioLost      = "lost"
	KeyAudioLate      = "late"
	KeyAudioConcealed = "concealed"
	// KeyAudioUnderruns counts playouts that found nothing to play [int].
	KeyAudioUnderruns = "underruns"
	// KeyAudioJitterBufferMs is the jitter buffer's depth, KeyAudioDelayMs
	// the delay from arrival to the speaker, in milliseconds [int].
	KeyAudioJitterBufferMs = "jitterBufferMs"
	KeyAudioDelayMs        = "delayMs"
	// KeyAudioEncrypted says the call's media is encrypted (IAX2 AES-128)
	// [bool].
	KeyAudioEncrypted = "encrypted"
)

// InterfacePath is /Communications/<iface>/<service>.
func InterfacePath(iface Interface, service string) string {
	return vs.Join(CommunicationsPath, string(iface), service)
}

// CallTypesKey is /Communications/QPhoneCallProvider/CallTypes/<service>.
func CallTypesKey(service string) string { return vs.Join(CallTypesPath, service) }

// CallPath is /Communications/Calls/<id>.
func CallPath(id string) string { return vs.Join(CallsPath, id) }

// ServiceStatusPath is /Telephony/Status/<service>.
func ServiceStatusPath(service string) string { return vs.Join(StatusPath, service) }
