// Package telephony is the phone library: the Qt Extended 4.4 telephony
// model of services made of interfaces, seen through the value space and
// driven by service messages on the bus.
//
// An agent (a separate program such as iaxagent) makes a Service, adds the
// interfaces it implements and calls Initialize, which publishes them and
// starts serving their requests:
//
//	svc := telephony.NewService(client, "asterisk")
//	reg := svc.AddNetworkRegistration(myRegistration)
//	svc.AddConfiguration(myConfiguration)
//	checker := svc.AddServiceChecker()
//	calls := svc.SetCallProvider(myProvider, "Asterisk")
//	err := svc.Initialize(ctx)
//
// Until Initialize the service is invisible. Afterwards its interfaces are
// at /Communications/<Interface>/<service>/ (requestChannel,
// responseChannel, and the interface's values), its call types at
// /Communications/QPhoneCallProvider/CallTypes/<service>, and requests from
// other processes arrive over the bus on QPE/Communications/<Interface>/
// Request/<service> and reach the implementation's methods. Everything the
// service publishes is owned by its bus connection and vanishes when the
// agent dies.
//
// The other side — phoned, phonectl, settings programs — uses Manager to
// list services, read registration and call types, send call requests and
// receive call-state transactions.
//
// Implementation methods (NetworkRegistrationImpl, CallImpl, ...) are
// called on the bus client's dispatch goroutine, one at a time; an agent
// may call the library's setters from any goroutine.
package telephony
