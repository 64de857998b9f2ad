package agent

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/telephony"
)

// What the agent tells the person at the console, in words: the
// registration's problem (published as the service's registrationProblem,
// shown by phonectl status under "problems:") and why a call ended (the
// call's reason, shown by phonectl calls). docs/agent.md lists them.

// The hints that end a registration problem: what to check, and with what.
const (
	hintAccount = "check UserId and Password (iaxsettings show)"
	hintServer  = "check Server and Port (iaxsettings show)"
)

// configured reports whether the settings say enough to register: a
// server and an account on it.
func configured(s asteriskconf.Settings) bool { return s.Configured() && s.UserID != "" }

// resolveError is why a run found no address for the server.
type resolveError struct {
	Host string
	Err  error
}

func (e *resolveError) Error() string { return fmt.Sprintf("cannot resolve %s: %v", e.Host, e.Err) }
func (e *resolveError) Unwrap() error { return e.Err }

// maxConfReason bounds how much of a rejected Asterisk.conf's reason is
// said: a value tens of kilobytes long is quoted in it.
const maxConfReason = 400

// confError is why Asterisk.conf was rejected (internal/asteriskconf's
// error: bad permissions, an invalid value), said on one line, with the
// package's prefix left out, escaped and cut at maxConfReason.
type confError struct{ Err error }

func (e *confError) Error() string {
	var parts []string
	for _, line := range strings.Split(e.Err.Error(), "\n") {
		line = strings.TrimPrefix(line, "asteriskconf: ")
		if line != "" {
			parts = append(parts, line)
		}
	}
	return telephony.Printable(strings.Join(parts, "; "), maxConfReason)
}

func (e *confError) Unwrap() error { return e.Err }

// portUnreachable reports whether err says that nothing listens at the
// peer's port: the kernel's ICMP port unreachable, which iax reports at
// once instead of retransmitting (on Linux; elsewhere a closed port reads
// as no answer once the retransmissions are spent).
func portUnreachable(err error) bool { return errors.Is(err, iax.ErrUnreachable) }

// problem says in words what keeps the registration from succeeding, as
// event ev with its error why tells it; the say action publishes it.
func (r *registration) problem(ev regEvent, why error) string {
	server := r.server.String()
	switch ev {
	case regUnconfigured:
		var ce *confError
		if errors.As(why, &ce) {
			return fmt.Sprintf("Asterisk.conf is not used: %v; fix it with iaxsettings set", ce)
		}
		return "not configured: set Server and UserId with iaxsettings set -server HOST -user NAME"
	case regUnreachable:
		var re *resolveError
		if errors.As(why, &re) {
			msg := re.Err.Error()
			var dns *net.DNSError
			if errors.As(re.Err, &dns) && dns.Err != "" {
				msg = dns.Err // the host's name is said once
			}
			return fmt.Sprintf("cannot resolve %s: %s; check Server (iaxsettings show) and the network's name server", re.Host, msg)
		}
		return fmt.Sprintf("cannot register with %s: %v", server, why)
	case regUnanswered:
		if portUnreachable(why) {
			return fmt.Sprintf("nothing listening at %s (port unreachable); %s", server, hintServer)
		}
		return fmt.Sprintf("no answer from %s since %s; is the server running there? %s",
			server, r.since.Local().Format("15:04:05"), hintServer)
	case regRejected:
		var d *iax.DeniedError
		if errors.As(why, &d) {
			return "the server refused the registration" + causeSuffix(d.Cause, d.CauseCode) + "; " + hintAccount
		}
		return fmt.Sprintf("the server refused the registration: %v; %s", why, hintAccount)
	case regFailed:
		if portUnreachable(why) {
			return fmt.Sprintf("nothing listening at %s (port unreachable); %s", server, hintServer)
		}
		return fmt.Sprintf("the registration with %s failed: %v; trying again", server, why)
	}
	return ""
}

// causeSuffix renders a server's cause text and Q.931 code as
// ": Text (cause N)", leaving out what the server did not send.
func causeSuffix(text string, code uint8) string {
	var b strings.Builder
	if text != "" {
		b.WriteString(": " + text)
	}
	if code != 0 {
		fmt.Fprintf(&b, " (cause %d)", code)
	}
	return b.String()
}

// causeWords are what the Q.931 causes a server ends calls with mean to
// the person who placed or took the call.
var causeWords = map[uint8]string{
	1:  "no such extension",
	3:  "no route to that number",
	16: "the other side hung up",
	17: "busy",
	18: "no answer",
	19: "no answer",
	20: "the number is not reachable now",
	21: "the call was rejected",
	27: "the destination is out of order",
	28: "the number is incomplete or invalid",
	29: "refused by the server",
	31: "the call ended",
	34: "no line free at the server",
	38: "the server's network is out of order",
	41: "a temporary failure at the server",
	42: "the server is congested",
	58: "no common codec",
}

// remoteReason says why the server ended a call: its REJECT or HANGUP
// (or a BUSY or CONGESTION) in words, with the server's own cause text
// and code, e.g. "no such extension: Unallocated number (cause 1)".
func remoteReason(he *iax.HangupError) string {
	words, ok := causeWords[he.CauseCode]
	switch {
	case !ok && he.Rejected:
		words = "the server refused the call"
	case !ok:
		words = "the server ended the call"
	}
	text := he.Cause
	if strings.Contains(strings.ToLower(text), strings.ToLower(words)) {
		// "User busy" says "busy" already.
		words, text = text, ""
	}
	return words + causeSuffix(text, he.CauseCode)
}

// endReason says why a call ends on ev, with the error the IAX2 call
// ended with (why) and the agent's registration for a dial it refused;
// "" when the final state says it all (we hung up).
func (a *Agent) endReason(ev callEvent, why error) string {
	var he *iax.HangupError
	switch {
	case ev == callStopping:
		return "the Asterisk service is stopping"
	case ev == callTooMany:
		return fmt.Sprintf("too many calls: the agent takes %d at once; hang one up", a.opts.MaxCalls)
	case ev == callBadNumber:
		return fmt.Sprintf("the number cannot be dialled: %v", why)
	case ev == callNoNetwork && why != nil:
		return fmt.Sprintf("cannot place the call: %v", why)
	case ev == callNoNetwork:
		return fmt.Sprintf("not registered with the Asterisk server (registration %s); see phonectl status", a.reg.state)
	case ev == callEndLocal:
		return ""
	case errors.As(why, &he):
		return remoteReason(he)
	case portUnreachable(why):
		where := a.reg.server
		var ue *iax.UnreachableError
		if errors.As(why, &ue) {
			where = ue.Addr
		}
		return fmt.Sprintf("nothing listening at %s (port unreachable): the call was lost", where)
	case errors.Is(why, iax.ErrTimeout):
		return "no answer from the server: the call was lost"
	case errors.Is(why, iax.ErrInvalidCall):
		return "the server no longer knows the call: it was lost"
	case errors.Is(why, iax.ErrClosed):
		return "the Asterisk service stopped"
	case errors.Is(why, iax.ErrAuth), errors.Is(why, iax.ErrNoAuthMethod):
		return fmt.Sprintf("the call could not be authenticated: %v; check UserId and Password (iaxsettings show)", why)
	case why != nil:
		return fmt.Sprintf("the call failed: %v", why)
	case ev == callLost:
		return "no answer from the server: the call was lost"
	}
	return ""
}
