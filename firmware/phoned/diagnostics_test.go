//go:build linux

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// Each troubleshooting case of the VoIP integration guide, provoked on
// purpose, gives its plain diagnostic in phoned's log, in the value space
// and in phonectl status.
func TestDiagnostics(t *testing.T) {
	t.Run("no service files", func(t *testing.T) {
		cfg := newConfig(t)
		p := startPhoned(t, cfg.dir, t.TempDir())
		want := "service not started: there are no service files in " + cfg.dir + "/services/Telephony"
		p.checkDiagnostic(phoneapi.CaseNotStarted, "phoned", want)
	})

	cfg := newConfig(t)
	cfg.agent(t, "quitter", "Service = quitsvc", "Mode = notask")
	cfg.agent(t, "sleeper", "Service = sleepsvc", "Mode = noinit")
	cfg.agent(t, "mute", "Service = mutesvc", "CallTypes =")
	cfg.agent(t, "hider", "Service = hidesvc", "CallTypes = Hide", "Mode = unannounced")
	cfg.agent(t, "orphan", "Service = orphansvc", "CallTypes = Orphan")
	cfg.manager.WriteString("[Managers]\nhidesvc = generic\nmutesvc = generic\n")
	cfg.write(t)
	p := startPhoned(t, cfg.dir, t.TempDir())

	t.Run("exits right after start", func(t *testing.T) {
		p.checkDiagnostic(phoneapi.CaseNoRunningTask, "quitter", "quitter exits right after start: it holds no running task")
		p.waitValue(agentKey("quitter", phoneapi.KeyAgentState), equals(vs.String(phoneapi.AgentExited)))
		p.waitValue(agentKey("quitter", phoneapi.KeyAgentLastExit), equals(vs.String("exit 0")))
	})
	t.Run("never initialized", func(t *testing.T) {
		p.checkDiagnostic(phoneapi.CaseNotInitialized, "sleeper",
			"sleeper never initialized its service: 700ms after Telephony::start there are still no requestChannel/responseChannel entries")
	})
	t.Run("no call types", func(t *testing.T) {
		p.checkDiagnostic(phoneapi.CaseNoCallTypes, "mutesvc",
			"service mutesvc published no call types (nothing at /Communications/QPhoneCallProvider/CallTypes/mutesvc): calls cannot be placed with it")
	})
	t.Run("call not announced", func(t *testing.T) {
		p.waitValue(agentKey("hider", phoneapi.KeyAgentServices), equals(vs.Strings("hidesvc")))
		if err := p.m.UpdateConfiguration(context.Background(), "hidesvc", "incoming", "5559999"); err != nil {
			t.Fatal(err)
		}
		p.log.wait(t, "incoming call created but not announced")
		p.checkDiagnostic(phoneapi.CaseNotAnnounced, "hidesvc", "service hidesvc has calls that were never announced")
		out := p.mustCtl("calls")
		if strings.Contains(out, "5559999") {
			t.Errorf("phonectl calls shows the unannounced call:\n%s", out)
		}
	})
	t.Run("no call policy manager", func(t *testing.T) {
		p.checkDiagnostic(phoneapi.CaseNoPolicyManager, "orphansvc",
			"service orphansvc has call types (Orphan) but no call policy manager: its calls cannot be placed")
		_, err := p.ctl("dial", "600", "-type", "Orphan")
		want := `phonectl: dial refused: policy: call type cannot place this call: "Orphan" (only "Hide" can)`
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("phonectl dial -type Orphan 600 = %v, want the refusal %q", err, want)
		}
	})
	// Services mapped to the generic manager have none of the policy
	// diagnostics.
	for _, d := range [][2]string{{phoneapi.CaseNoPolicyManager, "hidesvc"}, {phoneapi.CaseNoCallTypes, "hidesvc"},
		{phoneapi.CaseNoPolicyManager, "mutesvc"}} {
		if v, ok, _ := p.c.Get(context.Background(), phoneapi.DiagnosticPath(d[0], d[1])); ok {
			t.Errorf("%s has diagnostic %s: %v", d[1], d[0], v)
		}
	}
}

// checkDiagnostic waits for the diagnostic and finds its text in phoned's
// log and in phonectl status (text and JSON).
func (p *phone) checkDiagnostic(c, subject, want string) {
	p.t.Helper()
	v := p.waitValue(phoneapi.DiagnosticPath(c, subject), func(v vs.Value, ok bool) bool { return ok })
	text, _ := v.Str()
	if !strings.HasPrefix(text, want) {
		p.t.Errorf("diagnostic %s/%s = %q, want it to start with %q", c, subject, text, want)
	}
	p.log.wait(p.t, want)
	status := p.mustCtl("status")
	if !strings.Contains(status, "  - "+text+"\n") {
		p.t.Errorf("phonectl status lacks %q:\n%s", text, status)
	}
	js := p.mustCtl("-json", "status")
	if !strings.Contains(js, `"case": "`+c+`"`) || !strings.Contains(js, `"subject": "`+subject+`"`) {
		p.t.Errorf("phonectl -json status lacks case %s subject %s:\n%s", c, subject, js)
	}
}
