package bus

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ringo-phone/ringo/telephony/valuespace"
)

// ClientInfo describes a client. The counters are filled by Server.Stats
// and Client.Stats (and Client.Clients, which asks the server for them).
type ClientInfo struct {
	Owner valuespace.Owner
	Name  string
	// Ended is 0 for a connected client. Stats also lists, once per client
	// name, the totals of the connections of that name that have closed:
	// Owner is then 0 and Ended counts them.
	Ended int
	// FramesIn are the frames the server read from the client after the
	// handshake; FramesOut the frames queued to it (replies,
	// notifications, deliveries).
	FramesIn, FramesOut uint64
	// Sent counts the qcop messages the client sent, by message name;
	// Received those delivered to it. Nil when it has none.
	Sent, Received map[string]uint64
}

// maxEnded bounds the names whose closed connections Stats remembers; the
// rest are added up under endedOther.
const (
	maxEnded   = 256
	endedOther = "(others)"
)

// Stats returns the traffic counters of the connected clients, by id,
// then the totals of closed connections, by name. The hosting process's
// own use of the tree and of Handle and Publish crosses no socket and is in
// no client's counters.
func (s *Server) Stats() []ClientInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ClientInfo, 0, len(s.conns)+len(s.ended))
	for c := range s.conns {
		out = append(out, c.statsLocked())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner < out[j].Owner })
	for _, name := range slices.Sorted(maps.Keys(s.ended)) {
		e := *s.ended[name]
		e.Sent, e.Received = maps.Clone(e.Sent), maps.Clone(e.Received)
		out = append(out, e)
	}
	return out
}

// endedLocked adds a closed connection's counters to its name's totals;
// s.mu held.
func (s *Server) endedLocked(ci ClientInfo) {
	if ci.Name == "" {
		return // never got through its handshake
	}
	e := s.ended[ci.Name]
	if e == nil && len(s.ended) >= maxEnded {
		e = s.ended[endedOther]
		ci.Name = endedOther
	}
	if e == nil {
		e = &ClientInfo{Name: ci.Name}
		s.ended[ci.Name] = e
	}
	e.Ended++
	e.FramesIn += ci.FramesIn
	e.FramesOut += ci.FramesOut
	for n, v := range ci.Sent {
		e.Sent = bump(e.Sent, n)
		e.Sent[n] += v - 1
	}
	for n, v := range ci.Received {
		e.Received = bump(e.Received, n)
		e.Received[n] += v - 1
	}
}

// count updates the connection's counters.
func (c *conn) count(f func()) {
	c.mu.Lock()
	f()
	c.mu.Unlock()
}

func bump(m map[string]uint64, name string) map[string]uint64 {
	if m == nil {
		m = make(map[string]uint64)
	}
	m[name]++
	return m
}

// statsLocked returns the connection's counters; c.s.mu held (it guards
// the name).
func (c *conn) statsLocked() ClientInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ClientInfo{Owner: c.owner, Name: c.name, FramesIn: c.framesIn.Load(), FramesOut: c.framesOut,
		Sent: maps.Clone(c.sent), Received: maps.Clone(c.received)}
}

// encodeStats carries Stats in an OpClients reply's changes: for the i-th
// entry, /<i>/name [string], /<i>/owner, /<i>/ended, /<i>/framesIn,
// /<i>/framesOut [int], and /<i>/sent, /<i>/received [string list of
// name, count, name, count, ...].
func encodeStats(stats []ClientInfo) []valuespace.Change {
	var out []valuespace.Change
	for i, ci := range stats {
		base := fmt.Sprintf("/%d/", i)
		out = append(out,
			valuespace.Change{Path: base + "name", Value: valuespace.String(ci.Name)},
			valuespace.Change{Path: base + "owner", Value: valuespace.Int(int64(ci.Owner))},
			valuespace.Change{Path: base + "ended", Value: valuespace.Int(int64(ci.Ended))},
			valuespace.Change{Path: base + "framesIn", Value: valuespace.Int(int64(ci.FramesIn))},
			valuespace.Change{Path: base + "framesOut", Value: valuespace.Int(int64(ci.FramesOut))})
		for key, m := range map[string]map[string]uint64{"sent": ci.Sent, "received": ci.Received} {
			var l []string
			for _, n := range slices.Sorted(maps.Keys(m)) {
				l = append(l, n, strconv.FormatUint(m[n], 10))
			}
			out = append(out, valuespace.Change{Path: base + key, Value: valuespace.Strings(l...)})
		}
	}
	return out
}

// decodeStats reads encodeStats' entries back; entries it does not know
// (a newer server's) are ignored, and so is an entry without a name.
func decodeStats(changes []valuespace.Change) []ClientInfo {
	byIndex := map[int]*ClientInfo{}
	for _, ch := range changes {
		idx, key, ok := strings.Cut(strings.TrimPrefix(ch.Path, "/"), "/")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 {
			continue
		}
		ci := byIndex[i]
		if ci == nil {
			ci = &ClientInfo{}
			byIndex[i] = ci
		}
		n, isInt := ch.Value.Int()
		if isInt && n < 0 {
			continue
		}
		switch key {
		case "name":
			ci.Name, _ = ch.Value.Str()
		case "owner":
			ci.Owner = valuespace.Owner(n)
		case "ended":
			ci.Ended = int(n)
		case "framesIn":
			ci.FramesIn = uint64(n)
		case "framesOut":
			ci.FramesOut = uint64(n)
		case "sent", "received":
			l, _ := ch.Value.List()
			m := map[string]uint64(nil)
			for j := 0; j+1 < len(l); j += 2 {
				if v, err := strconv.ParseUint(l[j+1], 10, 64); err == nil {
					m = bump(m, l[j])
					m[l[j]] = v
				}
			}
			if key == "sent" {
				ci.Sent = m
			} else {
				ci.Received = m
			}
		}
	}
	out := make([]ClientInfo, 0, len(byIndex))
	for _, i := range slices.Sorted(maps.Keys(byIndex)) {
		if byIndex[i].Name != "" {
			out = append(out, *byIndex[i])
		}
	}
	return out
}
