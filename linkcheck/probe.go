package linkcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigie-audit/vigie"
)

var (
	errTooManyRedirects = errors.New("too many redirects")
	errRedirectLoop     = errors.New("redirect loop")
)

// schemeError is a redirect to something other than http or https.
type schemeError struct{ scheme string }

func (e *schemeError) Error() string { return "redirect to unsupported scheme " + e.scheme + ":" }

// attempt is what one request (redirects followed) told us.
type attempt struct {
	status        int
	header        http.Header
	finalURL      string
	redirects     int
	contentLength int64
	prefix        []byte // first bytes of a 2xx GET body
	eof           bool   // the body ended within prefix
	bodyErr       error  // reading the prefix failed
	err           error  // transport error; status is 0
}

// Check probes one URL and returns the observation, before the debounce rule:
// Class is ok, broken (a failure), unsure, invalid or blocked, and Failures,
// FirstFailure and LastSuccess are unset. Run applies Debounce.
func (c *Checker) Check(ctx context.Context, t Target) vigie.LinkResult {
	r, _ := c.check(ctx, t)
	return r
}

// check is Check that also tells whether the host looked unreachable: no
// HTTP answer because of a timeout, a failed (not a negative) name lookup or
// no route to the host. Run's circuit breaker counts these.
func (c *Checker) check(ctx context.Context, t Target) (vigie.LinkResult, bool) {
	start := time.Now()
	r, err := c.probe(ctx, t)
	r.URL = t.URL
	r.ElapsedMS = time.Since(start).Milliseconds()
	r.CheckedAt = c.opts.Now()
	return r, err != nil && ctx.Err() == nil && unreachable(err)
}

// probe checks one URL; err is the transport error of the request that
// decided, nil when the server answered.
func (c *Checker) probe(ctx context.Context, t Target) (r vigie.LinkResult, err error) {
	u, class, reason := parseTarget(t.URL)
	if u == nil {
		return vigie.LinkResult{Class: class, Reason: reason, ContentLength: -1}, nil
	}
	req := request{raw: u.String(), key: hostKey(u)}
	head := c.do(ctx, http.MethodHead, req, false)
	defer func() { r.HeadStatus = head.status }()
	if ctx.Err() != nil {
		return interrupted(), nil
	}
	if head.err != nil && isFinal(head.err) {
		return c.fromError(head), head.err
	}
	if head.err == nil {
		switch {
		case is2xx(head.status) && !needBody(head, u, false):
			return c.success(head, t.Formats), nil
		case head.status == http.StatusTooManyRequests || challenged(head.header):
			return c.fromStatus(head), nil // asked to back off: no second request
		}
	}
	get := c.do(ctx, http.MethodGet, req, true)
	if ctx.Err() != nil {
		return interrupted(), nil
	}
	if get.err != nil {
		if head.err == nil && !is2xx(head.status) {
			return c.fromStatus(head), nil
		}
		return c.fromError(get), get.err
	}
	switch {
	case get.status == http.StatusPartialContent:
		if !needBody(get, u, true) {
			return c.success(get, t.Formats), nil
		}
	case is2xx(get.status): // the range was ignored: this is a plain GET
		return c.fromBody(get, t.Formats), nil
	case get.status != http.StatusRequestedRangeNotSatisfiable:
		return c.fromStatus(get), nil
	}
	plain := c.do(ctx, http.MethodGet, req, false)
	if ctx.Err() != nil {
		return interrupted(), nil
	}
	switch {
	case plain.err != nil:
		return c.fromError(plain), plain.err
	case is2xx(plain.status):
		return c.fromBody(plain, t.Formats), nil
	}
	return c.fromStatus(plain), nil
}

func interrupted() vigie.LinkResult {
	return vigie.LinkResult{Class: vigie.LinkUnsure, Reason: enc(vigie.R(vigie.ReasonInterrupted)), ContentLength: -1}
}

// parseTarget accepts http and https URLs. It returns a nil URL with the
// class (invalid or unsure) and reason for anything else.
func parseTarget(raw string) (*url.URL, vigie.LinkClass, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "empty"))
	}
	if strings.IndexFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "control"))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "parse", shortErr(err)))
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "":
		return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "no_scheme"))
	case len(scheme) == 1:
		return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "file_path"))
	case scheme != "http" && scheme != "https":
		return nil, vigie.LinkUnsure, enc(vigie.R(vigie.ReasonUnsupportedScheme, scheme))
	case u.Hostname() == "":
		return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "no_host"))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n <= 0 || n > 65535 {
			return nil, vigie.LinkInvalid, enc(vigie.R(vigie.ReasonInvalidURL, "bad_port", p))
		}
	}
	u.Scheme = scheme
	u.Fragment = ""
	return u, "", ""
}

// do sends one request and, on 429 or 503 with a short enough Retry-After,
// waits as asked (holding every request to that host back) and tries once more.
// request is a checked URL and the host it is scheduled under.
type request struct{ raw, key string }

func (c *Checker) do(ctx context.Context, method string, req request, ranged bool) attempt {
	a := c.once(ctx, method, req, ranged)
	if a.err != nil || (a.status != http.StatusTooManyRequests && a.status != http.StatusServiceUnavailable) {
		return a
	}
	wait, ok := retryAfter(a.header, time.Now())
	if !ok || wait > c.opts.MaxRetryAfter {
		return a
	}
	if fu, err := url.Parse(a.finalURL); err == nil {
		c.gates.holdOff(hostKey(fu), time.Now().Add(wait))
	}
	if err := sleep(ctx, wait); err != nil {
		return attempt{err: err}
	}
	return c.once(ctx, method, req, ranged)
}

func (c *Checker) once(ctx context.Context, method string, target request, ranged bool) (a attempt) {
	a.contentLength = -1
	if err := c.gates.waitTurn(ctx, target.key); err != nil {
		a.err = err
		return a
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target.raw, nil)
	if err != nil {
		a.err = err
		return a
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "*/*")
	if ranged {
		req.Header.Set("Range", "bytes=0-0")
	}
	client := &http.Client{Transport: c.rt, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if len(via) > c.opts.MaxRedirects {
			return errTooManyRedirects
		}
		next := r.URL.String()
		for _, v := range via {
			if v.URL.String() == next {
				return errRedirectLoop
			}
		}
		if s := r.URL.Scheme; s != "http" && s != "https" {
			return &schemeError{scheme: s}
		}
		a.redirects = len(via)
		return nil
	}}
	resp, err := client.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		a.err = err
		return a
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.header = resp.Header
	a.finalURL = resp.Request.URL.String()
	a.contentLength = resp.ContentLength
	if method == http.MethodGet && is2xx(resp.StatusCode) {
		a.prefix, a.eof, a.bodyErr = readPrefix(resp.Body)
	} else {
		// A small error page is read so the connection can be reused;
		// anything longer is cut off by closing.
		_, _ = io.CopyN(io.Discard, resp.Body, sniffBytes)
	}
	return a
}

// readPrefix reads enough of a body to recognise it (at most sniffBytes),
// without waiting for more once 512 bytes have arrived.
func readPrefix(r io.Reader) (buf []byte, eof bool, err error) {
	buf = make([]byte, 0, sniffBytes)
	for len(buf) < 512 {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, true, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, false, nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		const year = 365 * 24 * 3600
		return time.Duration(min(n, year)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

func is2xx(s int) bool { return s >= 200 && s < 300 }

// challenged reports a bot challenge page (Cloudflare and the like).
func challenged(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get("cf-mitigated")), "challenge")
}

// needBody reports whether the headers are not enough to judge a success:
// an empty or untyped answer, or XML from an OGC service that may be an
// exception report.
func needBody(a attempt, u *url.URL, partial bool) bool {
	ct := mediaType(a.header)
	if ct == "" || (!partial && a.contentLength == 0) {
		return true
	}
	return strings.Contains(ct, "xml") && isOGCRequest(u)
}

func (c *Checker) base(a attempt) vigie.LinkResult {
	r := vigie.LinkResult{
		Status:        a.status,
		FinalURL:      a.finalURL,
		Redirects:     a.redirects,
		ContentType:   strings.TrimSpace(a.header.Get("Content-Type")),
		ContentLength: a.contentLength,
		ETag:          strings.TrimSpace(a.header.Get("ETag")),
	}
	if a.status == http.StatusPartialContent {
		r.ContentLength = rangeTotal(a.header.Get("Content-Range"))
	}
	if lm := a.header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			t = t.UTC()
			r.LastModified = &t
		}
	}
	return r
}

// success judges a 2xx answer whose headers (and body prefix, if read) are known.
func (c *Checker) success(a attempt, formats []string) vigie.LinkResult {
	r := c.base(a)
	ct := mediaType(a.header)
	if ct == "application/vnd.ogc.se_xml" {
		r.Class = vigie.LinkBroken
		r.Reason = enc(vigie.R(vigie.ReasonOGCException))
		return r
	}
	r.Class = vigie.LinkOK
	html := ct == "text/html" || ct == "application/xhtml+xml" || (ct == "" && looksHTML(a.prefix))
	var notes []vigie.LinkReason
	if f := dataFormat(formats); html && f != "" {
		r.LandingPage = true
		notes = append(notes, vigie.R(vigie.ReasonLandingPage, f))
	}
	if r.Redirects > ManyRedirects {
		notes = append(notes, vigie.R(vigie.ReasonManyRedirects, strconv.Itoa(r.Redirects)))
	}
	r.Reason = enc(notes...)
	return r
}

// fromBody judges a 2xx answer to a plain GET from its first bytes.
func (c *Checker) fromBody(a attempt, formats []string) vigie.LinkResult {
	if len(a.prefix) == 0 {
		r := c.base(a)
		switch {
		case a.eof:
			r.Class, r.Reason = vigie.LinkBroken, enc(vigie.R(vigie.ReasonEmptyBody))
			return r
		case a.bodyErr != nil:
			inner := errReason(a.bodyErr, c.opts.Timeout)
			r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.R(vigie.ReasonBodyUnreadable, append([]string{inner.Code}, inner.Args...)...))
			return r
		}
	}
	if isOGCException(a.prefix) {
		r := c.base(a)
		r.Class, r.Reason = vigie.LinkBroken, enc(vigie.R(vigie.ReasonOGCException))
		return r
	}
	return c.success(a, formats)
}

// fromStatus judges a non-2xx answer.
func (c *Checker) fromStatus(a attempt) vigie.LinkResult {
	r := c.base(a)
	s := a.status
	code := strconv.Itoa(s)
	r.Class = vigie.LinkBroken
	switch {
	case challenged(a.header):
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.R(vigie.ReasonBotChallenge, code))
	case s == http.StatusUnauthorized || s == http.StatusProxyAuthRequired:
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.HTTPReason(s))
	case s == http.StatusForbidden:
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.HTTPReason(s))
	case s == http.StatusTooManyRequests:
		rl := vigie.R(vigie.ReasonRateLimited, code)
		if d, ok := retryAfter(a.header, time.Now()); ok && d > c.opts.MaxRetryAfter {
			rl.Args = append(rl.Args, d.Round(time.Second).String())
		}
		r.Class, r.Reason = vigie.LinkUnsure, enc(rl)
	case s == http.StatusNotFound:
		r.Reason = enc(vigie.HTTPReason(s))
	case s == http.StatusGone:
		r.Reason = enc(vigie.HTTPReason(s))
	case s == http.StatusServiceUnavailable && a.header.Get("Retry-After") != "":
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.R(vigie.ReasonTemporarilyDown, code))
	case s >= 500 && s < 600:
		r.Reason = enc(vigie.HTTPReason(s))
	case s >= 400 && s < 500:
		r.Reason = enc(vigie.HTTPReason(s))
	case s >= 300 && s < 400:
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.HTTPReason(s))
	default:
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.HTTPReason(s))
	}
	return r
}

// isFinal reports transport errors a second request would only repeat.
func isFinal(err error) bool {
	var dns *net.DNSError
	var se *schemeError
	return errors.Is(err, errNotPublic) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, errTooManyRedirects) || errors.Is(err, errRedirectLoop) || errors.As(err, &se) ||
		errors.As(err, &dns) && dns.IsNotFound || isTLS(err)
}

// unreachable reports transport errors that say the host cannot be reached
// tonight rather than that the URL is wrong: a timeout, a name lookup that
// failed without a negative answer, no route to the host.
func unreachable(err error) bool {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return !dns.IsNotFound
	case errors.Is(err, errNotPublic), isTLS(err):
		return false
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// fromError judges a request that got no HTTP answer.
func (c *Checker) fromError(a attempt) vigie.LinkResult {
	r := vigie.LinkResult{Redirects: a.redirects, ContentLength: -1}
	err := a.err
	var dns *net.DNSError
	var se *schemeError
	r.Class = vigie.LinkBroken
	switch {
	case errors.Is(err, errNotPublic):
		r.Class, r.Reason = vigie.LinkBlocked, enc(vigie.R(vigie.ReasonBlockedAddress))
	case errors.Is(err, errTooManyRedirects):
		r.Reason = enc(vigie.R(vigie.ReasonTooManyRedirects, strconv.Itoa(c.opts.MaxRedirects)))
	case errors.Is(err, errRedirectLoop):
		r.Reason = enc(vigie.R(vigie.ReasonRedirectLoop))
	case errors.As(err, &se):
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.R(vigie.ReasonRedirectScheme, se.scheme))
	case errors.As(err, &dns) && dns.IsNotFound:
		r.Reason = enc(vigie.R(vigie.ReasonDNSNotFound, dns.Name))
	case errors.As(err, &dns):
		r.Class, r.Reason = vigie.LinkUnsure, enc(vigie.R(vigie.ReasonDNSFailed, dns.Name))
	case errors.Is(err, syscall.ECONNREFUSED):
		r.Reason = enc(vigie.R(vigie.ReasonConnectionRefused))
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		r.Reason = enc(vigie.R(vigie.ReasonHostUnreachable))
	default:
		r.Class, r.Reason = vigie.LinkUnsure, enc(errReason(err, c.opts.Timeout))
	}
	return r
}

// enc is the stored form of reasons.
func enc(rs ...vigie.LinkReason) string { return vigie.EncodeLinkReasons(rs...) }

// errReason codes the unsure transport errors: timeouts, TLS, resets.
func errReason(err error, timeout time.Duration) vigie.LinkReason {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return vigie.R(vigie.ReasonTimeout, timeout.String())
	case isTLS(err):
		return vigie.R(vigie.ReasonTLSError, tlsKind(err))
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return vigie.R(vigie.ReasonConnectionClosed)
	}
	return vigie.R(vigie.ReasonRequestFailed, shortErr(err))
}

// tlsKind names what a TLS error is about.
func tlsKind(err error) string {
	var (
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &ua):
		return "unknown_authority"
	case errors.As(err, &he):
		return "hostname"
	case errors.As(err, &ci):
		return "invalid"
	}
	return "handshake"
}

func isTLS(err error) bool {
	var (
		ua  x509.UnknownAuthorityError
		he  x509.HostnameError
		ci  x509.CertificateInvalidError
		cve *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		ae  tls.AlertError
	)
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cve) ||
		errors.As(err, &rh) || errors.As(err, &ae)
}

// shortErr drops the "Get "url": " prefix url.Error adds and caps the length.
func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// rangeTotal reads the complete length from "bytes 0-0/12345"; -1 if unknown.
func rangeTotal(cr string) int64 {
	i := strings.LastIndexByte(cr, '/')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(cr[i+1:]), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
