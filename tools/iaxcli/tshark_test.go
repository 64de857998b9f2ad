package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/testenv"
)

// Every test's iaxcli (and some iaxpbx) write a pcap of what they send
// and receive (-pcap: the socket records its own datagrams, no capture
// privileges needed). decodeCheck has Debian's tshark dissect it as IAX2
// and checks that no frame is marked malformed or carries an expert
// warning or error (chats and notes are not marks), and that the fields
// tshark decodes are those we meant to send.

// ieVal is one information element as tshark decoded it.
type ieVal struct {
	id     string
	values map[string]string // field name → value
}

// pkt is one IAX2 frame as tshark decoded it.
type pkt struct {
	number    int
	srcPort   string
	dstPort   string
	full      bool
	subclass  string // IAX subclass (decimal) for IAX frames
	ies       []ieVal
	malformed bool
	expert    []string
}

func (p pkt) ie(id string) (ieVal, bool) {
	for _, ie := range p.ies {
		if ie.id == id {
			return ie, true
		}
	}
	return ieVal{}, false
}

// IAX subclasses and IE ids as tshark prints them (decimal).
const (
	scNew       = "1"
	scAuthReq   = "8"
	scAuthRep   = "9"
	scAccept    = "7"
	scRegReq    = "13"
	scRegAuth   = "14"
	scRegAck    = "15"
	scRegRel    = "17"
	scCallToken = "40"

	ieCalledNumber = "1"
	ieUsername     = "6"
	ieCapability   = "8"
	ieFormat       = "9"
	ieChallenge    = "15"
	ieMD5          = "16"
	ieCallToken    = "54"
	ieCapability2  = "55"
	ieFormat2      = "56"
)

// dissect runs tshark over path, decoding the given UDP port as IAX2.
func dissect(t *testing.T, path, port string) []pkt {
	t.Helper()
	tshark := testenv.RequireTool(t, "tshark")
	out, err := exec.Command(tshark, "-r", path, "-d", "udp.port=="+port+",iax2", "-T", "json", "--no-duplicate-keys").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	var frames []struct {
		Source struct {
			Layers map[string]json.RawMessage `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(out, &frames); err != nil {
		t.Fatalf("tshark JSON: %v", err)
	}
	var pkts []pkt
	for i, f := range frames {
		p := pkt{number: i + 1}
		for name, raw := range f.Source.Layers {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("frame %d layer %s: %v", i+1, name, err)
			}
			switch name {
			case "udp":
				m, _ := v.(map[string]any)
				p.srcPort, _ = m["udp.srcport"].(string)
				p.dstPort, _ = m["udp.dstport"].(string)
			case "_ws.malformed":
				p.malformed = true
			case "iax2":
				walkIAX(v, &p)
			}
			collectExpert(name, v, &p)
		}
		pkts = append(pkts, p)
	}
	return pkts
}

// walkIAX pulls the packet type, subclass and information elements out
// of tshark's iax2 tree.
func walkIAX(v any, p *pkt) {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["iax2.packet_type"].(string); ok {
			p.full = s == "1"
		}
		if s, ok := x["iax2.iax.subclass"].(string); ok {
			p.subclass = s
		}
		if id, ok := x["iax2.ie_id"].(string); ok {
			ie := ieVal{id: id, values: map[string]string{}}
			for k, val := range x {
				if s, ok := val.(string); ok && k != "iax2.ie_id" && k != "iax2.length" {
					ie.values[k] = s
				}
			}
			p.ies = append(p.ies, ie)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // IEs come in the order tshark printed them
		for _, k := range keys {
			if k == "iax2.ie_id" {
				continue
			}
			walkIAX(x[k], p)
		}
	case []any:
		for _, e := range x {
			walkIAX(e, p)
		}
	}
}

// collectExpert notes every expert item and malformed mark in a layer.
func collectExpert(key string, v any, p *pkt) {
	if strings.HasPrefix(key, "_ws.malformed") {
		p.malformed = true
	}
	if strings.HasPrefix(key, "_ws.expert") {
		if m, ok := v.(map[string]any); ok && !atLeastWarning(m) {
			// Chats and notes are not marks against the frame: UDP's
			// "possible traceroute" chat, for one, fires on any port in
			// 33434-33534, which an ephemeral port can be.
			return
		}
		p.expert = append(p.expert, fmt.Sprint(v))
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			collectExpert(k, e, p)
		}
	case []any:
		for _, e := range x {
			collectExpert(key, e, p)
		}
	}
}

// want says what the client meant to send.
type want struct {
	clientPort  string // the iaxcli's UDP port
	serverPort  string // the iaxpbx's UDP port
	user        string
	secret      string
	called      string // "" if the capture holds no call
	minFrames   int    // at least this many IAX2 frames
	needMD5     bool   // an MD5 answer must be present
	needTokened bool   // a frame carrying a calltoken must be present
}

// num reads a number tshark printed in decimal or 0x hex (-1 if neither).
func num(s string) int64 {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return -1
	}
	return n
}

func firstString(ie ieVal) string {
	for _, v := range ie.values {
		return v
	}
	return ""
}

// decodeCheck dissects the pcap and checks it against w.
func decodeCheck(t *testing.T, path string, w want) {
	t.Helper()
	pkts := dissect(t, path, w.serverPort)
	if len(pkts) < w.minFrames {
		t.Fatalf("%s: %d frames, want at least %d", path, len(pkts), w.minFrames)
	}
	// Tokens and challenges the server handed out so far (under loss a
	// client may get several and answer any).
	tokens, challenges := map[string]bool{}, map[string]bool{}
	sawMD5, sawToken := false, false
	for _, p := range pkts {
		if p.malformed || len(p.expert) > 0 {
			t.Errorf("frame %d (%s→%s subclass %s): malformed %v, expert %v", p.number, p.srcPort, p.dstPort, p.subclass, p.malformed, p.expert)
		}
		fromClient := p.srcPort == w.clientPort
		if !p.full || p.subclass == "" {
			continue
		}
		if !fromClient {
			switch p.subclass {
			case scCallToken:
				ie, ok := p.ie(ieCallToken)
				if !ok {
					t.Errorf("frame %d: CALLTOKEN without the token", p.number)
				}
				tokens[firstString(ie)] = true
			case scAuthReq, scRegAuth:
				ie, _ := p.ie(ieChallenge)
				challenges[ie.values["iax2.iax.auth.challenge"]] = true
				if p.subclass == scRegAuth {
					if ie, _ := p.ie(ieUsername); ie.values["iax2.iax.username"] != w.user {
						t.Errorf("frame %d: REGAUTH username = %v, want %q", p.number, ie.values, w.user)
					}
				}
			case scAccept:
				// iaxpbx agrees ulaw, the caller's first choice.
				if ie, _ := p.ie(ieFormat); num(ie.values["iax2.iax.format"]) != 4 {
					t.Errorf("frame %d: ACCEPT format = %v, want 4 (ulaw)", p.number, ie.values)
				}
				if ie, ok := p.ie(ieFormat2); !ok || num(ie.values["iax2.iax.format2"]) != 4 {
					t.Errorf("frame %d: ACCEPT format2 = %v, want 4", p.number, ie.values)
				}
			case scRegAck:
				if ie, _ := p.ie(ieUsername); ie.values["iax2.iax.username"] != w.user {
					t.Errorf("frame %d: REGACK username = %v, want %q", p.number, ie.values, w.user)
				}
			}
			continue
		}
		switch p.subclass {
		case scNew, scRegReq, scRegRel:
			if ie, ok := p.ie(ieUsername); !ok || ie.values["iax2.iax.username"] != w.user {
				t.Errorf("frame %d: username = %v, want %q", p.number, ie.values, w.user)
			}
			if ie, ok := p.ie(ieCallToken); ok && firstString(ie) != "" {
				sawToken = true
				if got := firstString(ie); !tokens[got] {
					t.Errorf("frame %d: calltoken = %q, not one the server gave (%v)", p.number, got, tokens)
				}
			}
		}
		if p.subclass == scNew {
			if ie, _ := p.ie(ieCalledNumber); ie.values["iax2.iax.called_number"] != w.called {
				t.Errorf("frame %d: called number = %v, want %q", p.number, ie.values, w.called)
			}
			// ulaw (4) desired, ulaw|alaw (12) capable.
			if ie, _ := p.ie(ieFormat); num(ie.values["iax2.iax.format"]) != 4 {
				t.Errorf("frame %d: format = %v, want 4 (ulaw)", p.number, ie.values)
			}
			if ie, _ := p.ie(ieCapability); num(ie.values["iax2.iax.capability"]) != 12 {
				t.Errorf("frame %d: capability = %v, want 12 (ulaw, alaw)", p.number, ie.values)
			}
			if ie, ok := p.ie(ieFormat2); !ok || num(ie.values["iax2.iax.format2"]) != 4 {
				t.Errorf("frame %d: format2 = %v, want 4", p.number, ie.values)
			}
			if ie, ok := p.ie(ieCapability2); !ok || num(ie.values["iax2.iax.capability2"]) != 12 {
				t.Errorf("frame %d: capability2 = %v, want 12", p.number, ie.values)
			}
		}
		if ie, ok := p.ie(ieMD5); ok {
			sawMD5 = true
			got, ok := ie.values["iax2.iax.auth.md5"], false
			for c := range challenges {
				sum := md5.Sum([]byte(c + w.secret))
				ok = ok || got == hex.EncodeToString(sum[:])
			}
			if !ok {
				t.Errorf("frame %d: md5 answer %q is md5(challenge + secret) for none of the challenges %v", p.number, got, challenges)
			}
		}
	}
	var seq []string
	for _, p := range pkts {
		if p.full && p.subclass != "" {
			dir := "<"
			if p.srcPort == w.clientPort {
				dir = ">"
			}
			seq = append(seq, dir+p.subclass)
		}
	}
	t.Logf("tshark decoded %d frames of %s; IAX commands (> from the client): %s", len(pkts), filepath.Base(path), strings.Join(seq, " "))
	if w.needMD5 && !sawMD5 {
		t.Errorf("%s: no MD5 answer sent", path)
	}
	if w.needTokened && !sawToken {
		t.Errorf("%s: no frame sent with a calltoken", path)
	}
}

// expertWarning is Wireshark's PI_WARN severity; errors are higher.
const expertWarning = 0x00600000

// atLeastWarning reports whether an expert item is a warning or an error.
// An item without a readable severity counts as one.
func atLeastWarning(m map[string]any) bool {
	sv, ok := m["_ws.expert.severity"]
	if !ok {
		return true
	}
	n, err := strconv.Atoi(fmt.Sprint(sv))
	return err != nil || n >= expertWarning
}

func TestExpertSeverityFilter(t *testing.T) {
	var p pkt
	collectExpert("_ws.expert", map[string]any{"_ws.expert.message": "Possible traceroute: hop #7, attempt #1",
		"_ws.expert.severity": "2097152", "udp.possible_traceroute": ""}, &p)
	if len(p.expert) != 0 {
		t.Errorf("a chat counted as a mark: %v", p.expert)
	}
	collectExpert("_ws.expert", map[string]any{"_ws.expert.message": "bad IE length", "_ws.expert.severity": "6291456"}, &p)
	collectExpert("_ws.expert", map[string]any{"_ws.expert.message": "no severity"}, &p)
	if len(p.expert) != 2 {
		t.Errorf("warnings and unreadable items = %v, want both kept", p.expert)
	}
}
