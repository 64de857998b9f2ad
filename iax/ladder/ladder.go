package ladder

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/iax/internal/pcapng"
)

// Datagram is one UDP datagram of a capture or of an endpoint's trace.
type Datagram struct {
	At       time.Time
	Src, Dst netip.AddrPort
	// Data is the datagram as it was on the wire, or in the clear when
	// Clear is set (what iax.Config.Trace shows).
	Data []byte
	// Clear says Data is already decrypted (or was never encrypted);
	// Encrypted that the datagram travelled encrypted.
	Clear, Encrypted bool
}

// ReadCapture returns the UDP datagrams of a pcap or pcapng capture, in
// order; packets that are not UDP are left out. Data refers into b.
func ReadCapture(b []byte) ([]Datagram, error) {
	pkts, err := pcapng.ParseAny(b)
	if err != nil {
		return nil, fmt.Errorf("ladder: %w", err)
	}
	out := make([]Datagram, 0, len(pkts))
	for _, p := range pkts {
		d, err := pcapng.UDP(p)
		if err != nil {
			continue
		}
		out = append(out, Datagram{At: p.Time, Src: d.Src, Dst: d.Dst, Data: d.Payload})
	}
	return out, nil
}

// Options change what Build shows.
type Options struct {
	// Secret decrypts AES-128 encrypted calls (the account's secret);
	// without it their frames show as "encrypted".
	Secret string
	// Port, when set, keeps only the datagrams to or from this UDP port
	// (4569 for most captures of Asterisk).
	Port uint16
}

// Ladder is a sequence diagram of IAX2 traffic: the parties as columns,
// and one row per frame, except that voice is summarised in one row per
// direction for as long as no call signalling comes between.
type Ladder struct {
	Parties []Party
	Rows    []Row
	// Frames has one entry per datagram given to Build, in order.
	Frames []Frame
	// Start is the first datagram's time, Span the time to the last.
	Start time.Time
	Span  time.Duration
	// Encrypted counts datagrams that travelled encrypted, Undecrypted
	// those of them no key read.
	Encrypted, Undecrypted int
}

// Party is one column: an address, or, when both ends of a call share
// one (two Asterisk instances on one host, as in the shared captures), an
// address and the call numbers that side used.
type Party struct {
	Addr  netip.AddrPort
	Calls []uint16 // only when told apart by call numbers
}

// Name is how the party is shown: its address, and its calls when the
// address does not tell it apart.
func (p Party) Name() string {
	if len(p.Calls) == 0 {
		return p.Addr.String()
	}
	calls := make([]string, len(p.Calls))
	for i, c := range p.Calls {
		calls[i] = fmt.Sprint(c)
	}
	return fmt.Sprintf("%v calls %s", p.Addr, strings.Join(calls, ","))
}

// RowKind says what a row shows.
type RowKind int

// Row kinds.
const (
	RowFrame RowKind = iota // one frame (Count 1), or several sent again
	RowVoice                // a run of voice frames in one direction
	RowLost                 // frames missing from the sequence numbers
	RowNote                 // a datagram that is not an IAX2 frame
)

// Row is one arrow of the ladder.
type Row struct {
	Kind RowKind
	At   time.Duration // since Start: the row's first frame
	// From and To index Parties.
	From, To int
	// Label is the frame and its key information elements, or the
	// voice summary ("voice ×250 (5.0 s)").
	Label string
	// Count is how many datagrams the row stands for; Lost how many
	// frames went missing (RowLost, and voice rows with gaps).
	Count, Lost int
	// Again says the frame was sent before (R set, or the same frame
	// seen already); Encrypted that it travelled encrypted.
	Again, Encrypted bool
	// Frames are the indexes (into Ladder.Frames) of its datagrams.
	Frames []int
}

// Frame is one datagram as the ladder read it.
type Frame struct {
	Row int
	// Name names the frame as Wireshark's IAX2 dissector does, in upper
	// case with underscores: NEW, ACK, ANSWER, STOP_SOUNDS, VOICE (full
	// and mini), DTMF_BEGIN, ...; ENCRYPTED when no key read it.
	Name      string
	Encrypted bool
	Again     bool
}

// frameKey identifies a full frame so that one sent again is known.
type frameKey struct {
	party    int
	call     uint16
	oseq     uint8
	typ      iax.FrameType
	subclass uint8
	ts       uint32
	data     string // the frame after its header: a new frame with the
	// numbers of an old one (a calltoken round starts again at 0) differs
}

type seqKey struct {
	party int
	call  uint16
}

// voiceRun is an open voice row for one direction.
type voiceRun struct {
	row         int
	firstTS, ts uint32
	tsKnown     bool
	lost        int
	start, last time.Time
	sealed      bool // not decrypted: no timestamps
}

type builder struct {
	l       *Ladder
	opt     Options
	dec     *iax.CaptureDecrypter
	sides   *sides
	seen    map[frameKey]bool
	next    map[seqKey]uint8
	hasNext map[seqKey]bool
	voice   map[[2]int]*voiceRun
}

// Build draws the ladder of datagrams, in the order given.
func Build(ds []Datagram, opt Options) *Ladder {
	if opt.Port != 0 {
		ds = slices.DeleteFunc(slices.Clone(ds), func(d Datagram) bool {
			return d.Src.Port() != opt.Port && d.Dst.Port() != opt.Port
		})
	}
	b := &builder{
		l:   &Ladder{},
		opt: opt, dec: iax.NewCaptureDecrypter(opt.Secret),
		sides: newSides(ds),
		seen:  map[frameKey]bool{}, next: map[seqKey]uint8{}, hasNext: map[seqKey]bool{},
		voice: map[[2]int]*voiceRun{},
	}
	b.l.Parties = b.sides.parties
	if len(ds) > 0 {
		b.l.Start = ds[0].At
		b.l.Span = ds[len(ds)-1].At.Sub(ds[0].At)
	}
	for _, d := range ds {
		b.add(d)
	}
	b.closeVoice()
	return b.l
}

func (b *builder) add(d Datagram) {
	from, to := b.sides.of(d)
	frame, enc, undecrypted := d.Data, d.Encrypted, false
	if !d.Clear {
		var err error
		frame, enc, err = b.dec.Frame(d.Src, d.Dst, d.Data)
		undecrypted = err != nil && enc
	}
	if enc {
		b.l.Encrypted++
	}
	if undecrypted {
		b.l.Undecrypted++
	}
	idx := len(b.l.Frames)
	b.l.Frames = append(b.l.Frames, Frame{Encrypted: enc})
	fr := &b.l.Frames[idx]
	at := d.At.Sub(b.l.Start)
	switch kind := iax.KindOf(frame); {
	case kind == iax.KindMini:
		fr.Name = "VOICE"
		var m iax.MiniFrame
		if undecrypted || m.Unmarshal(frame) != nil {
			b.addVoice(idx, d, from, to, 0, false, false, enc)
			return
		}
		b.addVoice(idx, d, from, to, uint32(m.Timestamp), true, false, enc)
	case kind == iax.KindFull && undecrypted:
		fr.Name = "ENCRYPTED"
		again := frame[2]&0x80 != 0
		fr.Again = again
		// Which frame it is nobody knows: it does not end a voice row.
		label := fmt.Sprintf("encrypted (%d octets)", len(frame))
		b.addRow(Row{Kind: RowFrame, At: at, From: from, To: to, Label: label, Again: again, Encrypted: true}, idx)
	case kind == iax.KindFull:
		var f iax.FullFrame
		if err := f.Unmarshal(frame); err != nil {
			fr.Name = "MALFORMED"
			b.addRow(Row{Kind: RowNote, At: at, From: from, To: to, Label: "malformed full frame"}, idx)
			return
		}
		fr.Name = frameName(&f)
		key := frameKey{from, f.SourceCall, f.OSeq, f.Type, f.Subclass, f.Timestamp, string(frame[iax.FullFrameHeaderSize:])}
		again := f.Retransmitted || reliable(&f) && b.seen[key]
		b.seen[key] = true
		fr.Again = again
		if !again && reliable(&f) {
			b.checkSequence(&f, from, to, at)
		}
		if f.Type == iax.FrameVoice {
			if again {
				b.addRow(Row{Kind: RowFrame, At: at, From: from, To: to, Label: "voice", Again: true, Encrypted: enc}, idx)
				return
			}
			b.addVoice(idx, d, from, to, f.Timestamp, true, true, enc)
			return
		}
		if !housekeeping(&f) {
			b.closeVoice()
		}
		b.addRow(Row{Kind: RowFrame, At: at, From: from, To: to, Label: describe(&f), Again: again, Encrypted: enc}, idx)
	case kind == iax.KindMeta:
		fr.Name = "META"
		b.addRow(Row{Kind: RowNote, At: at, From: from, To: to, Label: "meta frame (trunk or video)"}, idx)
	default:
		fr.Name = "NOT_IAX2"
		b.addRow(Row{Kind: RowNote, At: at, From: from, To: to, Label: fmt.Sprintf("not IAX2 (%d octets)", len(frame))}, idx)
	}
}

func (b *builder) addRow(r Row, idx int) {
	r.Count = 1
	r.Frames = []int{idx}
	b.l.Frames[idx].Row = len(b.l.Rows)
	b.l.Rows = append(b.l.Rows, r)
}

// checkSequence inserts a lost row when a side's reliable frames skip
// sequence numbers: frames it sent that the capture never saw.
func (b *builder) checkSequence(f *iax.FullFrame, from, to int, at time.Duration) {
	k := seqKey{from, f.SourceCall}
	want, ok := b.next[k], b.hasNext[k]
	b.next[k], b.hasNext[k] = f.OSeq+1, true
	if !ok {
		return
	}
	gap := int(int8(f.OSeq - want))
	if gap <= 0 || f.OSeq == 0 {
		return // in order, or a transaction started again (a calltoken)
	}
	label := fmt.Sprintf("lost ×%d (oseq %d)", gap, want)
	if gap > 1 {
		label = fmt.Sprintf("lost ×%d (oseq %d-%d)", gap, want, f.OSeq-1)
	}
	b.l.Rows = append(b.l.Rows, Row{Kind: RowLost, At: at, From: from, To: to, Label: label, Lost: gap})
}

// addVoice adds a voice frame to its direction's open row, or opens one.
// A full voice frame resynchronises the timestamps (the sender paused):
// its gap is not loss.
func (b *builder) addVoice(idx int, d Datagram, from, to int, ts uint32, tsKnown, full, enc bool) {
	k := [2]int{from, to}
	v := b.voice[k]
	if v == nil {
		v = &voiceRun{row: len(b.l.Rows), firstTS: ts, ts: ts, tsKnown: tsKnown, start: d.At}
		b.voice[k] = v
		b.l.Rows = append(b.l.Rows, Row{Kind: RowVoice, At: d.At.Sub(b.l.Start), From: from, To: to, Encrypted: enc})
	} else if tsKnown && v.tsKnown {
		if !full {
			// Mini frames carry 16 bits: widen against the newest.
			ts |= v.ts &^ 0xffff
			if ts+0x8000 < v.ts {
				ts += 0x10000
			}
		}
		if gap := int64(ts) - int64(v.ts); gap > 20 && !full {
			v.lost += int(gap/20 - 1)
		}
		if ts > v.ts {
			v.ts = ts
		}
	}
	if !tsKnown {
		v.tsKnown, v.sealed = false, true
	}
	v.last = d.At
	r := &b.l.Rows[v.row]
	r.Count++
	r.Frames = append(r.Frames, idx)
	r.Lost = v.lost
	r.Label = voiceLabel(r.Count, v)
	b.l.Frames[idx].Row = v.row
}

func voiceLabel(n int, v *voiceRun) string {
	d := time.Duration(n) * 20 * time.Millisecond
	if v.tsKnown {
		d = time.Duration(v.ts-v.firstTS+20) * time.Millisecond
	}
	s := fmt.Sprintf("voice ×%d (%.1f s", n, d.Seconds())
	if v.lost > 0 {
		s += fmt.Sprintf(", %d lost", v.lost)
	}
	if v.sealed {
		s += ", encrypted"
	}
	return s + ")"
}

// closeVoice ends every open voice row: signalling came between.
func (b *builder) closeVoice() { clear(b.voice) }

// reliable reports whether a frame takes part in reliable delivery.
func reliable(f *iax.FullFrame) bool {
	if f.Type != iax.FrameIAX {
		return true
	}
	switch f.Command() {
	case iax.CmdAck, iax.CmdInval, iax.CmdVNAK, iax.CmdTxCnt, iax.CmdTxAcc, iax.CmdCallToken:
		return false
	}
	return true
}

// housekeeping frames do not interrupt a voice row.
func housekeeping(f *iax.FullFrame) bool {
	if f.Type != iax.FrameIAX {
		return false
	}
	switch f.Command() {
	case iax.CmdAck, iax.CmdPing, iax.CmdPong, iax.CmdLagRq, iax.CmdLagRp, iax.CmdVNAK, iax.CmdRTKey:
		return true
	}
	return false
}

// frameName is the frame's name as Wireshark's dissector gives it.
func frameName(f *iax.FullFrame) string {
	switch f.Type {
	case iax.FrameIAX:
		return f.Command().String()
	case iax.FrameControl:
		return f.Control().String()
	}
	return f.Type.String()
}

// describe is a full frame's label: its name and key elements.
func describe(f *iax.FullFrame) string {
	var parts []string
	add := func(s string, args ...any) { parts = append(parts, fmt.Sprintf(s, args...)) }
	name := frameName(f)
	switch f.Type {
	case iax.FrameDTMFBegin, iax.FrameDTMFEnd:
		what := "begin"
		if f.Type == iax.FrameDTMFEnd {
			what = "end"
		}
		return fmt.Sprintf("DTMF %c %s", rune(f.Subclass), what)
	case iax.FrameText:
		return fmt.Sprintf("TEXT %q", strings.TrimRight(string(f.Payload), "\x00"))
	case iax.FrameIAX:
	default:
		return name
	}
	ies := f.IEs
	if s := ies.String(iax.IECalledNumber); s != "" && f.Command() != iax.CmdTransfer {
		add("to %s", s)
	}
	if s := ies.String(iax.IEUsername); s != "" && f.Command() != iax.CmdAuthReq && f.Command() != iax.CmdRegAuth && f.Command() != iax.CmdRegAck {
		add("%s", s)
	}
	if ie, ok := ies.Get(iax.IECallToken); ok {
		if len(ie.Data) == 0 {
			add("token?")
		} else {
			add("token")
		}
	}
	switch f.Command() {
	case iax.CmdAuthReq, iax.CmdRegAuth:
		if m, _ := ies.Uint(iax.IEAuthMethods); uint16(m)&iax.AuthMD5 != 0 {
			add("md5")
		} else if uint16(m)&iax.AuthPlaintext != 0 {
			add("plaintext")
		}
	case iax.CmdRTKey:
		add("new key")
	case iax.CmdTransfer:
		add("to %s", ies.String(iax.IECalledNumber))
	case iax.CmdAccept:
		fm, _ := ies.Formats()
		add("%v", fm)
	case iax.CmdVNAK:
		add("from %d", f.ISeq)
	case iax.CmdRegAck:
		if a, err := ies.ApparentAddr(); err == nil {
			add("as %v", a)
		}
	}
	if ies.Has(iax.IEMD5Result) {
		add("md5")
	}
	if ies.Has(iax.IEPassword) {
		add("password")
	}
	if v, err := ies.Uint(iax.IEEncryption); err == nil {
		add("%s", encryptionWords(uint16(v)))
	}
	if v, err := ies.Uint(iax.IERefresh); err == nil {
		add("%ds", v)
	}
	if s := ies.String(iax.IECause); s != "" || ies.Has(iax.IECauseCode) {
		code, _ := ies.Uint(iax.IECauseCode)
		if s != "" {
			add("%q %d", s, code)
		} else {
			add("cause %d", code)
		}
	}
	if len(parts) == 0 {
		return name
	}
	return name + " " + strings.Join(parts, " ")
}

func encryptionWords(v uint16) string {
	var w []string
	if v&iax.EncryptAES128 != 0 {
		w = append(w, "aes128")
	}
	if v&iax.EncryptKeyRotate != 0 {
		w = append(w, "keyrotate")
	}
	if len(w) == 0 {
		return fmt.Sprintf("encryption %#x", v)
	}
	return strings.Join(w, "+")
}

// sides maps datagrams to parties.
type sides struct {
	parties []Party
	byAddr  map[netip.AddrPort]int
	// For addresses shared by both ends: the side (0 opened, 1
	// answered) of each call number, and the party of each side.
	shared map[netip.AddrPort]bool
	color  map[uint16]int
	byCol  map[[2]any]int
}

func callNumbers(b []byte) (src, dst uint16, full bool) {
	if len(b) < 4 {
		return 0, 0, false
	}
	switch iax.KindOf(b) {
	case iax.KindFull:
		return binary.BigEndian.Uint16(b) & 0x7fff, binary.BigEndian.Uint16(b[2:]) & 0x7fff, true
	case iax.KindMini:
		return binary.BigEndian.Uint16(b), 0, false
	}
	return 0, 0, false
}

// newSides finds the parties: one per address, except an address that
// sends to itself (both ends of a call on one address and port), whose
// call numbers are split into the side that opened each call and the
// side that answered, by which call numbers talk to which.
func newSides(ds []Datagram) *sides {
	s := &sides{byAddr: map[netip.AddrPort]int{}, shared: map[netip.AddrPort]bool{}, color: map[uint16]int{}, byCol: map[[2]any]int{}}
	adj := map[uint16][]uint16{}
	var order []uint16
	note := func(c uint16) {
		if _, ok := adj[c]; !ok {
			adj[c] = nil
			order = append(order, c)
		}
	}
	for _, d := range ds {
		if d.Src != d.Dst {
			continue
		}
		s.shared[d.Src] = true
		src, dst, full := callNumbers(d.Data)
		note(src)
		if full && dst != 0 {
			note(dst)
			adj[src] = append(adj[src], dst)
			adj[dst] = append(adj[dst], src)
		}
	}
	// Two-colour each group of call numbers from the first one seen:
	// the opener of the call.
	for _, c := range order {
		if _, done := s.color[c]; done {
			continue
		}
		s.color[c] = 0
		queue := []uint16{c}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, m := range adj[n] {
				if _, done := s.color[m]; !done {
					s.color[m] = 1 - s.color[n]
					queue = append(queue, m)
				}
			}
		}
	}
	for _, d := range ds {
		s.party(d.Src, d.Data, true)
		s.party(d.Dst, d.Data, false)
	}
	return s
}

// party returns the party of addr for a datagram it sent (src) or
// received, creating it on first sight.
func (s *sides) party(addr netip.AddrPort, b []byte, src bool) int {
	if !s.shared[addr] {
		if i, ok := s.byAddr[addr]; ok {
			return i
		}
		s.byAddr[addr] = len(s.parties)
		s.parties = append(s.parties, Party{Addr: addr})
		return len(s.parties) - 1
	}
	sc, dc, full := callNumbers(b)
	col, call := 0, sc
	if c, ok := s.color[sc]; ok {
		col = c
	}
	if !src {
		col, call = 1-col, dc
		if !full || dc == 0 {
			call = 0
		}
	}
	k := [2]any{addr, col}
	i, ok := s.byCol[k]
	if !ok {
		i = len(s.parties)
		s.byCol[k] = i
		s.parties = append(s.parties, Party{Addr: addr})
	}
	if call != 0 && !slices.Contains(s.parties[i].Calls, call) {
		s.parties[i].Calls = append(s.parties[i].Calls, call)
	}
	return i
}

func (s *sides) of(d Datagram) (from, to int) {
	return s.party(d.Src, d.Data, true), s.party(d.Dst, d.Data, false)
}
