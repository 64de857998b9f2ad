package iax

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// ResolvePeer turns "host", "host:port" or "[v6]:port" into an address,
// with port 4569 when none is given. Names are resolved with ctx; an
// IPv4 address is preferred when a name has both.
func ResolvePeer(ctx context.Context, s string) (netip.AddrPort, error) {
	host, port := s, DefaultPort
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return netip.AddrPort{}, fmt.Errorf("iax: bad port in %q", s)
		}
		host, port = h, int(n)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("iax: resolve %q: %w", host, err)
	}
	if len(addrs) == 0 {
		return netip.AddrPort{}, fmt.Errorf("iax: %q has no address", host)
	}
	best := addrs[0]
	for _, a := range addrs {
		if a.Unmap().Is4() {
			best = a
			break
		}
	}
	return netip.AddrPortFrom(best.Unmap(), uint16(port)), nil
}
