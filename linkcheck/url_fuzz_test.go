package linkcheck

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
)

// fixtureURLs returns the distinct URLs of the real CKAN payloads under
// testdata/real: the seeds of the URL fuzz target.
func fixtureURLs(tb testing.TB) []string {
	tb.Helper()
	seen := map[string]bool{}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && (k == "url" || strings.HasSuffix(k, "_url")) && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	root := filepath.Join("..", "testdata", "real")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			walk(v)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) < 10 {
		tb.Fatalf("only %d seed URLs found under %s", len(out), root)
	}
	return out
}

// FuzzParseTarget: whatever a portal puts in a resource URL, classification
// never panics, only http(s) URLs with a host are ever requested, and the
// reason shown to users is valid UTF-8.
func FuzzParseTarget(f *testing.F) {
	for _, s := range fixtureURLs(f) {
		f.Add(s)
	}
	for _, s := range []string{
		"", " ", "ftp://ftp.example.org/a.csv", "C:\\data\\a.csv", "//example.org/a", "http://", "http://:80/",
		"https://example.org:99999/", "https://[::1]:443/x", "HTTPS://EXAMPLE.ORG/A#frag", "http://exa mple.org/",
		"javascript:alert(1)", "data:text/csv,a,b", "http://example.org/%zz", "http://example.org/\x00",
		"mailto:a@b.c", "http://user:pass@example.org/", "http://[fe80::1%25eth0]/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, class, reason := parseTarget(raw)
		if u == nil {
			if class != vigie.LinkInvalid && class != vigie.LinkUnsure {
				t.Fatalf("parseTarget(%q): no URL but class %q", raw, class)
			}
			if reason == "" {
				t.Fatalf("parseTarget(%q): class %q without a reason", raw, class)
			}
			if utf8.ValidString(raw) && !utf8.ValidString(reason) {
				t.Fatalf("parseTarget(%q): reason is not valid UTF-8: %q", raw, reason)
			}
			if strings.ContainsAny(reason, "\r\n") {
				t.Fatalf("parseTarget(%q): reason spans lines: %q", raw, reason)
			}
			return
		}
		if class != "" || reason != "" {
			t.Fatalf("parseTarget(%q): URL and a class %q/%q", raw, class, reason)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("parseTarget(%q) would request scheme %q", raw, u.Scheme)
		}
		if u.Hostname() == "" {
			t.Fatalf("parseTarget(%q) would request a URL without host", raw)
		}
		if u.Fragment != "" {
			t.Fatalf("parseTarget(%q) kept fragment %q", raw, u.Fragment)
		}
		// The request is built from u.String(): it must still parse and
		// reach the same host.
		req, err := http.NewRequest(http.MethodHead, u.String(), nil)
		if err != nil {
			t.Fatalf("parseTarget(%q) accepted %q, which net/http rejects: %v", raw, u.String(), err)
		}
		if req.URL.Hostname() != u.Hostname() {
			t.Fatalf("parseTarget(%q): host %q became %q", raw, u.Hostname(), req.URL.Hostname())
		}
	})
}

// FuzzRetryAfter: a hostile Retry-After never gives a negative wait.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
		"99999999999", "9223372036854775807", " 5 ", "1e3", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Retry-After", v)
		d, ok := retryAfter(h, now)
		if ok && d < 0 {
			t.Fatalf("Retry-After %q gives a negative wait %v", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("Retry-After %q not understood yet a wait of %v", v, d)
		}
	})
}

// FuzzRangeTotal: Content-Range gives a size or -1, never a negative size.
func FuzzRangeTotal(f *testing.F) {
	for _, s := range []string{"bytes 0-0/1234", "bytes */0", "bytes 0-0/*", "bytes 0-0/-5", "/", "bytes 0-0/99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cr string) {
		if n := rangeTotal(cr); n < -1 {
			t.Fatalf("rangeTotal(%q) = %d", cr, n)
		}
	})
}

// FuzzIsPublic: an address is judged the same whatever its spelling: plain
// IPv4, IPv4-mapped IPv6 or NAT64; loopback and private never pass.
func FuzzIsPublic(f *testing.F) {
	for _, s := range []string{"8.8.8.8", "127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.1.1", "100.64.0.1",
		"::1", "fe80::1", "fc00::1", "2001:4860:4860::8888", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "0.0.0.0", "224.0.0.1"} {
		a := netip.MustParseAddr(s).As16()
		f.Add(a[:])
	}
	nat64 := netip.MustParsePrefix("64:ff9b::/96")
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) != 16 && len(b) != 4 {
			return
		}
		ip, _ := netip.AddrFromSlice(b)
		pub := IsPublic(ip)
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
			if pub {
				t.Fatalf("%v judged public", ip)
			}
		}
		v4 := ip.Unmap()
		if !v4.Is4() {
			return
		}
		a4 := v4.As4()
		mapped := netip.AddrFrom16(v4.As16())
		var n [16]byte
		copy(n[:], nat64.Addr().AsSlice())
		copy(n[12:], a4[:])
		viaNAT64 := netip.AddrFrom16(n)
		if IsPublic(mapped) != pub || IsPublic(viaNAT64) != pub {
			t.Fatalf("%v: plain %v, mapped %v, NAT64 %v", v4, pub, IsPublic(mapped), IsPublic(viaNAT64))
		}
	})
}
