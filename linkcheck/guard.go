package linkcheck

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// errNotPublic is returned at dial time when a host resolves to an address
// that is not on the public internet.
var errNotPublic = errors.New("address is not public")

// nonPublic lists the ranges that net/netip's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this" network
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved and broadcast
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("100::/64"),        // discard
}

// nat64 embeds an IPv4 address in its last 32 bits.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// IsPublic reports whether ip is a public unicast address: not loopback,
// private (RFC 1918, ULA), link-local, multicast, unspecified, CGNAT or
// reserved. IPv4-mapped and NAT64 addresses are judged by their IPv4 part.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return false
	}
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		return IsPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// dialControl refuses connections to non-public addresses. It runs on the
// resolved address of every connection attempt, so it holds after each
// redirect and whatever a DNS answer says.
func (c *Checker) dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		host, _, splitErr := net.SplitHostPort(address)
		if splitErr != nil {
			return errNotPublic
		}
		a, perr := netip.ParseAddr(host)
		if perr != nil {
			return errNotPublic
		}
		ap = netip.AddrPortFrom(a, 0)
	}
	if c.permit != nil && c.permit(ap) {
		return nil
	}
	if c.opts.AllowPrivate || IsPublic(ap.Addr()) {
		return nil
	}
	return errNotPublic
}
