package udprelay

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// Impairment says what happens to the datagrams of one direction. Each
// datagram is first lost with probability Loss; a survivor is duplicated
// with probability Duplicate and, independently, held back to be
// reordered with probability Reorder.
type Impairment struct {
	Loss, Duplicate, Reorder float64
}

func (im Impairment) check() error {
	for _, p := range []float64{im.Loss, im.Duplicate, im.Reorder} {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("%w: probability %v not in [0, 1]", ErrBadConfig, p)
		}
	}
	return nil
}

// Packet is one datagram and where it goes.
type Packet struct {
	Data []byte
	To   netip.AddrPort
}

// Counts says what an Impairer did.
type Counts struct {
	In, Out, Lost, Duplicated, Reordered uint64
}

// Impairer decides the fate of each datagram of one direction. It is not
// safe for concurrent use; Relay serialises calls.
type Impairer struct {
	im     Impairment
	rng    *rand.Rand
	held   *Packet
	counts Counts
}

// NewImpairer returns an impairer whose decisions depend only on seed and
// the order of the datagrams it is given.
func NewImpairer(im Impairment, seed uint64) (*Impairer, error) {
	if err := im.check(); err != nil {
		return nil, err
	}
	return &Impairer{im: im, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, nil
}

// Process takes one datagram and returns the datagrams to send now, in
// order. The impairer keeps p when it holds it back, so p.Data must not be
// reused by the caller. held reports whether p itself was held back (the
// caller then arms a timer and calls Release when it fires).
func (z *Impairer) Process(p Packet) (out []Packet, held bool) {
	z.counts.In++
	// Draw every decision for every datagram, so that the sequence of
	// random numbers depends only on how many datagrams came by.
	lost := z.rng.Float64() < z.im.Loss
	dup := z.rng.Float64() < z.im.Duplicate
	reorder := z.rng.Float64() < z.im.Reorder
	if lost {
		z.counts.Lost++
		return z.releaseAfter(nil), false
	}
	if reorder && z.held == nil {
		z.counts.Reordered++
		z.held = &p
		if dup {
			z.counts.Duplicated++
			z.counts.Out++
			return []Packet{p}, true // one copy goes now, the other later
		}
		return nil, true
	}
	out = []Packet{p}
	if dup {
		z.counts.Duplicated++
		out = append(out, p)
	}
	z.counts.Out += uint64(len(out))
	return z.releaseAfter(out), false
}

// releaseAfter appends a held datagram after out: it has been overtaken.
func (z *Impairer) releaseAfter(out []Packet) []Packet {
	if z.held == nil || len(out) == 0 {
		return out
	}
	h := *z.held
	z.held = nil
	z.counts.Out++
	return append(out, h)
}

// Release returns the held datagram, if any, when its hold time is over.
func (z *Impairer) Release() (Packet, bool) {
	if z.held == nil {
		return Packet{}, false
	}
	h := *z.held
	z.held = nil
	z.counts.Out++
	return h, true
}

// Counts returns what the impairer has done so far.
func (z *Impairer) Counts() Counts { return z.counts }
