package ratelimit

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose forwarded-address headers are
// believed. Empty (the default), the connection's address is the client's
// and the headers are ignored, since anyone can send them.
type Proxies []netip.Prefix

// ParseProxies reads a list of CIDRs or single addresses separated by
// commas or spaces ("10.0.0.0/8, 192.168.1.5").
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an address or a CIDR such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// String lists the prefixes as ParseProxies reads them.
func (p Proxies) String() string {
	s := make([]string, len(p))
	for i, n := range p {
		s[i] = n.String()
	}
	return strings.Join(s, ",")
}

// trusted reports whether a is one of the proxies.
func (p Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the request's client. Only when the
// connection comes from a trusted proxy are X-Forwarded-For (walked from
// the right: the right-most address that is not a trusted proxy, since
// everything to its left was written by the client) and then X-Real-IP
// read; otherwise, or when they hold no usable address, it is the
// connection's address.
func (p Proxies) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(p) == 0 || !p.trusted(peer) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := netip.Addr{}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: stop at the last good hop
		}
		client = a.Unmap()
		if !p.trusted(a) {
			break
		}
	}
	if !client.IsValid() {
		if a, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); err == nil {
			client = a.Unmap()
		}
	}
	if !client.IsValid() {
		return host
	}
	return client.String()
}

// RealIP replaces the request's RemoteAddr with the client's address
// (ClientIP) for everything after it: the sign-in limit, sessions, the
// audit trail and the access log. With no trusted proxy it changes nothing.
func (p Proxies) RealIP(next http.Handler) http.Handler {
	if len(p) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ip := p.ClientIP(r); ip != "" {
			_, port, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				port = "0"
			}
			r = r.WithContext(r.Context()) // a copy, not the caller's request
			r.RemoteAddr = net.JoinHostPort(ip, port)
		}
		next.ServeHTTP(w, r)
	})
}
