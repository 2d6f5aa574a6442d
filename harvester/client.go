// Package harvester reads a CKAN portal's action API and keeps the store in
// step with it: full and incremental passes over package_search,
// organizations, deletions, and offline imports of saved API responses.
// It never prints; progress is reported through a callback.
package harvester

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime/trace"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/vigie-audit/vigie"
	"golang.org/x/time/rate"
)

// ClientOptions configure a Client. Zero values take the defaults given.
type ClientOptions struct {
	Rate         float64       // requests per second; default 2, negative = unlimited
	Timeout      time.Duration // per request; default 60 s
	MaxBody      int64         // response size cap in bytes; default 64 MiB
	Retries      int           // retries of a transient failure; default 5, negative = none
	RetryBase    time.Duration // first back-off delay; default 1 s (doubles, with jitter)
	MaxRetryWait time.Duration // longest wait, Retry-After included; default 2 min
	Token        string        // CKAN API token, sent in the Authorization header only
	// User and Password authenticate with HTTP basic auth (a portal behind a
	// password). A user:password@ in the portal URL is taken as these and
	// removed from the URL; neither ever appears in errors.
	User, Password string
	// AllowPrivate lets the client follow the portal to loopback, private
	// and link-local addresses; without it only a portal that is itself on
	// such an address may lead there.
	AllowPrivate bool
	UserAgent    string       // default vigie.UserAgent()
	HTTPClient   *http.Client // optional transport (tests)
	// OnRetry is told about each retry (for logs); the error is token-free.
	OnRetry func(action string, attempt int, wait time.Duration, err error)
}

// Client calls one CKAN portal's action API.
type Client struct {
	base     string // site root, no trailing slash
	host     string // host:port of the site, to tell answers from another host
	guard    *addressGuard
	rc       *resty.Client
	lim      *rate.Limiter
	opts     ClientOptions
	requests atomic.Int64
}

// NewClient returns a client for the CKAN site at base (the site root, such
// as https://www.donneesquebec.ca/recherche).
func NewClient(base string, o ClientOptions) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := RedactUserinfo(base)
		return nil, &vigie.Error{Kind: vigie.KindBadPortal, ID: "harvester.portal_url", Args: []any{shown}, Portal: shown}
	}
	if u.User != nil {
		if o.User == "" && o.Password == "" {
			o.User = u.User.Username()
			o.Password, _ = u.User.Password()
		}
		u.User = nil
	}
	if err := CheckToken(o.Token); err != nil {
		return nil, err
	}
	if o.Token != "" && (o.User != "" || o.Password != "") {
		return nil, vigie.NewError(vigie.KindUsage, "harvester.user_token")
	}
	if o.Rate == 0 {
		o.Rate = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 20
	}
	if o.Retries == 0 {
		o.Retries = 5
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = 2 * time.Minute
	}
	if o.UserAgent == "" {
		o.UserAgent = vigie.UserAgent()
	}
	var rc *resty.Client
	var guard *addressGuard
	if o.HTTPClient != nil {
		rc = resty.NewWithClient(o.HTTPClient)
	} else {
		rc = resty.New()
		if t, ok := rc.GetClient().Transport.(*http.Transport); ok {
			guard = newAddressGuard(u, o.AllowPrivate)
			guard.install(t)
		}
	}
	rc.SetTimeout(o.Timeout).
		SetHeader("User-Agent", o.UserAgent).
		SetHeader("Accept", "application/json").
		SetRedirectPolicy(resty.FlexibleRedirectPolicy(5), sameOriginToken{}).
		SetLogger(quietLogger{})
	if o.Token != "" {
		rc.SetHeader("Authorization", o.Token)
	}
	if o.User != "" || o.Password != "" {
		rc.SetBasicAuth(o.User, o.Password)
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if o.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(o.Rate), 1)
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), host: hostPort(u), guard: guard, rc: rc, lim: lim, opts: o}, nil
}

// CheckToken refuses an API token that cannot be sent as a header value: a
// newline or another control character would make every request fail, and
// the failure would look like a network error.
func CheckToken(token string) error {
	for i, r := range token {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			what := "a control character"
			switch r {
			case '\n', '\r':
				what = "a line break"
			case '\t':
				what = "a tab"
			}
			return fmt.Errorf("the CKAN API token holds %s at character %d: keep the token alone on one line, with nothing else", what, i+1)
		}
	}
	return nil
}

// RedactUserinfo replaces the password of a URL's user:password@ with
// "xxxxx", also when the URL does not parse.
func RedactUserinfo(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return s
	}
	user := rest[:at]
	if c := strings.IndexByte(user, ':'); c >= 0 {
		user = user[:c] + ":xxxxx"
	}
	return s[:i+3] + user + rest[at:]
}

// sameOriginToken keeps the API token from following a redirect to another
// origin: Go only drops it for another host name, not for another port or a
// switch from https to http.
type sameOriginToken struct{}

func (sameOriginToken) Apply(req *http.Request, via []*http.Request) error {
	if len(via) > 0 {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
			req.Header.Del("Authorization")
		}
	}
	return nil
}

// Requests is the number of HTTP requests sent so far, retries included.
func (c *Client) Requests() int { return int(c.requests.Load()) }

// Base is the portal's site root.
func (c *Client) Base() string { return c.base }

// ActionURL is the URL of an action.
func (c *Client) ActionURL(action string) string { return c.base + "/api/3/action/" + action }

// APIError is a failed action call, with CKAN's error type when it sent one.
type APIError struct {
	Action  string
	URL     string // without query
	Status  int    // HTTP status; 0 for network errors
	Type    string // CKAN error.__type, "" when none
	Message string
	// NotCKAN is set when the answer was not a CKAN action API envelope.
	NotCKAN bool
	// Transient is set when a retry may succeed.
	Transient  bool
	RetryAfter time.Duration
	// timeout is set when the portal did not answer in time: Message is
	// then vigie's own sentence, rendered in the reader's language.
	timeout bool
	// said is vigie's own words for Message (a catalogue sentence or a
	// link reason), rendered in the reader's language; nil: Message as is.
	// short is the same without the URL, for a sentence that names it.
	said, short any
	kind        vigie.ErrorKind // when vigie knows better than the status
}

// ErrorKind makes a portal that does not answer (network, name, timeout)
// an unreachable one, so that the command line says to check the address
// and the network.
func (e *APIError) ErrorKind() vigie.ErrorKind {
	if e.kind != vigie.KindOther {
		return e.kind
	}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		return vigie.KindPortalRefused
	}
	if e.Status == 0 && !e.NotCKAN {
		return vigie.KindUnreachable
	}
	return vigie.KindOther
}

// message is Message as a sentence argument: vigie's own words become a
// catalogue sentence, a portal's or the system's stay as they are.
func (e *APIError) message() any {
	if e.timeout {
		return vigie.NewError(vigie.KindUnreachable, "harvester.timeout", e.URL)
	}
	if e.said != nil {
		return e.said
	}
	return e.Message
}

// Localize is the error in lang: vigie's own words in that language, the
// portal's and the system's as received.
func (e *APIError) Localize(lang string) string {
	if l10n.Lang(lang) == "en" {
		return e.Error()
	}
	return e.format(" : ", render(lang, e.message()))
}

func (e *APIError) Error() string { return e.format(": ", e.Message) }

// format is the action, the HTTP status, CKAN's error type and msg, with
// the language's separator.
func (e *APIError) format(sep, msg string) string {
	var b strings.Builder
	b.WriteString(e.Action)
	if e.Status != 0 {
		fmt.Fprintf(&b, "%sHTTP %d", sep, e.Status)
	}
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	if msg != "" {
		b.WriteString(sep + msg)
	}
	if e.Status == 0 && e.URL != "" {
		b.WriteString(" (" + e.URL + ")")
	}
	return b.String()
}

// render is a sentence argument in lang: an error or a localizable value in
// that language, anything else as it is.
func render(lang string, v any) string {
	switch m := v.(type) {
	case nil:
		return ""
	case error:
		return l10n.Error(lang, m)
	case interface{ Localize(string) string }:
		return m.Localize(l10n.Lang(lang))
	case string:
		return m
	}
	return fmt.Sprint(v)
}

// sentence is text written in the reader's language when it is rendered.
type sentence func(lang string) string

func (t sentence) Localize(lang string) string { return t(lang) }
func (t sentence) String() string              { return t("en") }

// quietLogger keeps resty from writing to stderr; errors are returned.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// Call runs a read-only action with GET and returns its result. Transient
// failures (429, 5xx, timeouts, dropped connections, Solr's "Search Error")
// are retried with exponential back-off and jitter, honouring Retry-After.
// Errors never contain the API token.
func (c *Client) Call(ctx context.Context, action string, params url.Values) (json.RawMessage, error) {
	var last error
	for attempt := 0; ; attempt++ {
		res, err := c.once(ctx, action, params)
		if err == nil {
			return res, nil
		}
		err = c.scrub(err)
		last = err
		var ae *APIError
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.As(err, &ae) || !ae.Transient || attempt >= c.opts.Retries {
			if attempt > 0 {
				return nil, &vigie.Error{Kind: vigie.KindOf(last), ID: "harvester.attempts", Args: []any{last, strconv.Itoa(attempt + 1)}, Err: last}
			}
			return nil, last
		}
		wait := c.backoff(attempt)
		if ae.RetryAfter > 0 {
			wait = ae.RetryAfter
		}
		if wait > c.opts.MaxRetryWait {
			wait = c.opts.MaxRetryWait
		}
		if c.opts.OnRetry != nil {
			c.opts.OnRetry(action, attempt+1, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// backoff is base·2^attempt, with up to half of it taken off at random.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.RetryBase << min(attempt, 10)
	return d - time.Duration(rand.Int64N(int64(d)/2+1))
}

func (c *Client) once(ctx context.Context, action string, params url.Values) (json.RawMessage, error) {
	if trace.IsEnabled() { // VIGIE_TRACE: each request is a region
		defer trace.StartRegion(ctx, "api: "+action).End()
	}
	if err := c.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	u := c.ActionURL(action)
	c.requests.Add(1)
	req := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true)
	if len(params) > 0 {
		req.SetQueryParamsFromValues(params)
	}
	resp, err := req.Get(u)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var np *notPublicError
		if errors.As(err, &np) {
			said := vigie.NewError(vigie.KindOther, "harvester.redirect_private", np.host)
			return nil, &APIError{Action: action, URL: u, Message: said.Error(), said: said}
		}
		return nil, &APIError{Action: action, URL: u, Message: netMessage(err, u), said: netReason(err), Transient: !noSuchHost(err), timeout: isTimeout(err)}
	}
	body := resp.RawBody()
	defer body.Close()
	data, err := readBody(body, resp.RawResponse, c.opts.MaxBody)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		why := netMessage(err, u)
		said := vigie.NewError(vigie.KindOther, "harvester.dropped", u, why)
		if r := netReason(err); r != nil {
			said = vigie.NewError(vigie.KindOther, "harvester.dropped", u, r)
		}
		return nil, &APIError{Action: action, URL: u, Status: resp.StatusCode(), Message: "connection dropped while reading the answer from " + u + ": " + why, said: said, Transient: true}
	}
	if int64(len(data)) > c.opts.MaxBody {
		said := vigie.NewError(vigie.KindTooLarge, "harvester.answer_too_large", l10n.Whole(c.opts.MaxBody>>20))
		if c.opts.MaxBody < 1<<20 {
			said = vigie.NewError(vigie.KindTooLarge, "harvester.answer_too_large.bytes", l10n.Whole(c.opts.MaxBody))
		}
		return nil, &APIError{Action: action, URL: u, Status: resp.StatusCode(), Message: said.Error(), said: said, short: said, kind: vigie.KindTooLarge}
	}
	res, err := parseEnvelope(action, u, resp.StatusCode(), resp.Header(), data, c.scrubText)
	if err != nil && resp.RawResponse != nil && resp.RawResponse.Request != nil {
		// An error answered by another host (after a redirect) is not
		// quoted: its text is not the portal's, and may be anything.
		if final := resp.RawResponse.Request.URL; hostPort(final) != c.host {
			var ae *APIError
			if errors.As(err, &ae) {
				where := *final
				where.RawQuery, where.Fragment, where.User = "", "", nil
				ae.Type = ""
				said := vigie.NewError(vigie.KindNotCKAN, "harvester.redirect_other", where.String(), strconv.Itoa(ae.Status))
				ae.Message, ae.said, ae.short = said.Error(), said, said
				ae.kind = vigie.KindNotCKAN
			}
		}
	}
	return res, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// netMessage shortens a transport error to what a user can act on.
func netMessage(err error, u string) string {
	if isTimeout(err) {
		return l10n.T("en", "harvester.timeout", u)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// netReason says in the reader's language why the portal could not be
// reached, in the link checker's words (a name that does not resolve, a
// refused connection…); nil when the system's text is all there is.
func netReason(err error) any {
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		return vigie.R(vigie.ReasonDNSNotFound, de.Name)
	case errors.As(err, &de):
		return vigie.R(vigie.ReasonDNSFailed, de.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return vigie.R(vigie.ReasonConnectionRefused)
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return vigie.R(vigie.ReasonHostUnreachable)
	case errors.Is(err, syscall.ECONNRESET):
		return vigie.R(vigie.ReasonConnectionClosed)
	}
	return nil
}

// noSuchHost reports a name that does not resolve: retrying will not help.
func noSuchHost(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// envelope is CKAN's action API answer (the part read on failure).
type envelope struct {
	Error json.RawMessage `json:"error"`
}

// firstErrLine is an error's text, "" for nil.
func firstErrLine(err error) string {
	if err == nil {
		return "invalid JSON"
	}
	return err.Error()
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>`)
var tagRE = regexp.MustCompile(`<[^>]*>`)

// say sets the error's message to vigie's own sentence (and its form
// without the URL, for a sentence that names it already).
func (e *APIError) say(full, short *vigie.Error) {
	e.Message, e.said = full.Error(), full
	e.short = nil
	if short != nil {
		e.short = short
	}
}

// parseEnvelope splits CKAN's envelope. clean (may be nil) is applied to
// every text taken from the answer before it is shortened, so that a secret
// echoed by the portal cannot survive as a cut-off prefix.
func parseEnvelope(action, u string, status int, h http.Header, data []byte, clean func(string) string) (json.RawMessage, error) {
	if clean == nil {
		clean = func(s string) string { return s }
	}
	transient := status == http.StatusTooManyRequests || status >= 500
	e := &APIError{Action: action, URL: u, Status: status, Transient: transient}
	if transient {
		e.RetryAfter = retryAfter(h.Get("Retry-After"))
	}
	trim := bytes.TrimSpace(data)
	if len(trim) == 0 {
		e.say(vigie.NewError(vigie.KindOther, "harvester.empty_answer", u), vigie.NewError(vigie.KindOther, "harvester.empty_answer.short"))
		e.NotCKAN = !transient
		return nil, e
	}
	if trim[0] == '<' {
		e.NotCKAN = !transient
		e.say(vigie.NewError(vigie.KindOther, "harvester.html", u), vigie.NewError(vigie.KindOther, "harvester.html.short"))
		if m := titleRE.FindSubmatch(trim); m != nil {
			t := m[1]
			if len(t) == 0 {
				t = m[2]
			}
			if s := clean(strings.Join(strings.Fields(tagRE.ReplaceAllString(string(t), "")), " ")); s != "" {
				title := cut(s, 80)
				e.say(vigie.NewError(vigie.KindOther, "harvester.html_titled", title, u), vigie.NewError(vigie.KindOther, "harvester.html_titled.short", title))
			}
		}
		return nil, e
	}
	if trim[0] == '"' { // CKAN's bare-string 400 ("Bad request - Action name not known")
		var s string
		if json.Unmarshal(trim, &s) == nil {
			e.Message = cut(clean(s), 200)
			e.NotCKAN = status == http.StatusNotFound
			return nil, e
		}
	}
	// Validate once, then split the envelope without decoding the result:
	// a page of 1,000 datasets is megabytes, and it is split again later.
	if !validJSON(trim) {
		if trim[0] == '{' || trim[0] == '[' {
			// valid start, broken JSON: most likely cut short in transit
			var probe any
			err := json.Unmarshal(trim, &probe)
			why := any(clean(firstErrLine(err)))
			if pe := l10n.JSONError(err); pe != err && why == firstErrLine(err) {
				why = pe // the parser's words hold nothing from the answer itself
			}
			e.say(vigie.NewError(vigie.KindOther, "harvester.answer_json", u, why), vigie.NewError(vigie.KindOther, "harvester.answer_json.short", why))
			e.Transient = true
			return nil, e
		}
		snippet := cut(clean(string(trim[:min(len(trim), 4096)])), 60)
		e.say(vigie.NewError(vigie.KindOther, "harvester.not_json", u, snippet), vigie.NewError(vigie.KindOther, "harvester.not_json.short", snippet))
		e.NotCKAN = !transient
		return nil, e
	}
	var success, result, errRaw json.RawMessage
	if trim[0] == '{' {
		_ = eachField(trim, func(k string, v json.RawMessage) {
			switch k {
			case "success":
				success = v
			case "result":
				result = v
			case "error":
				errRaw = v
			}
		})
	}
	if s := string(success); s != "true" && s != "false" {
		e.say(vigie.NewError(vigie.KindOther, "harvester.no_envelope", u), vigie.NewError(vigie.KindOther, "harvester.no_envelope.short"))
		e.NotCKAN = !transient
		return nil, e
	}
	if string(success) == "true" && status < 300 {
		return result, nil
	}
	env := envelope{Error: errRaw}
	var ce map[string]json.RawMessage
	_ = json.Unmarshal(env.Error, &ce)
	if t, ok := ce["__type"]; ok {
		_ = json.Unmarshal(t, &e.Type)
	}
	e.Message = ckanErrorMessage(ce, clean)
	if e.Type == "Search Error" {
		e.Transient = true
	}
	if status < 300 && e.Type == "" && e.Message == "" {
		e.say(vigie.NewError(vigie.KindOther, "harvester.success_false"), nil)
	}
	return nil, e
}

// ckanErrorMessage renders CKAN's error dict: "message", or the validator's
// field → messages map.
func ckanErrorMessage(ce map[string]json.RawMessage, clean func(string) string) string {
	if m, ok := ce["message"]; ok {
		var s string
		if json.Unmarshal(m, &s) == nil {
			return cut(clean(s), 300)
		}
	}
	var parts []string
	for k, v := range ce {
		if k == "__type" {
			continue
		}
		parts = append(parts, clean(k)+": "+cut(clean(strings.Trim(string(v), "[]\"")), 100))
	}
	return cut(strings.Join(sortedStrings(parts), "; "), 300)
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		const year = 365 * 24 * 3600 // more would overflow into a negative wait
		return time.Duration(min(n, year)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// secretPrefix is the shortest start of the token that is scrubbed on its
// own: a message cut in the middle of an echoed token leaves its prefix.
const secretPrefix = 8

// scrubText removes the token, any run of secretPrefix or more of its
// leading characters, and the basic-auth password from s.
func (c *Client) scrubText(s string) string {
	s = scrubSecret(s, c.opts.Token)
	if c.opts.Password != "" {
		// the basic-auth header an error page may echo
		s = scrubSecret(s, base64.StdEncoding.EncodeToString([]byte(c.opts.User+":"+c.opts.Password)))
		s = scrubSecret(s, c.opts.Password)
	}
	return s
}

// scrubSecret replaces secret, and every run of at least secretPrefix of
// its leading characters, with "[token]". A secret shorter than that is
// replaced only whole.
func scrubSecret(s, secret string) string {
	if secret == "" || s == "" {
		return s
	}
	if len(secret) < secretPrefix {
		if len(secret) < 4 { // too short to tell from ordinary text
			return s
		}
		return strings.ReplaceAll(s, secret, "[token]")
	}
	head := secret[:secretPrefix]
	if !strings.Contains(s, head) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, head)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := secretPrefix
		for j < len(secret) && i+j < len(s) && s[i+j] == secret[j] {
			j++
		}
		b.WriteString(s[:i])
		b.WriteString("[token]")
		s = s[i+j:]
	}
}

// scrub removes the token (and its prefixes) and the password from an
// error's text.
func (c *Client) scrub(err error) error {
	if err == nil || (c.opts.Token == "" && c.opts.Password == "") {
		return err
	}
	msg := err.Error()
	if c.scrubText(msg) == msg {
		return err
	}
	var ae *APIError
	if errors.As(err, &ae) {
		cp := *ae
		cp.Message = c.scrubText(cp.Message)
		cp.URL = c.scrubText(cp.URL)
		cp.said, cp.short = nil, nil // their values held it too: the scrubbed English text is all that is left
		if c.scrubText(cp.Error()) == cp.Error() && err == error(ae) {
			return &cp
		}
	}
	return errors.New(c.scrubText(msg))
}

// Info is what status_show says about a portal.
type Info = vigie.PortalInfo

// Probe calls status_show. A portal that is not a CKAN action API gives one
// line naming the URL tried.
func (c *Client) Probe(ctx context.Context) (*Info, error) {
	res, err := c.Call(ctx, "status_show", nil)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden) {
			return nil, &vigie.Error{Kind: vigie.KindPortalRefused, ID: "harvester.refused", Args: []any{ae.URL, strconv.Itoa(ae.Status), refusedWhy(ae)}, Portal: c.base, Err: err}
		}
		if errors.As(err, &ae) && (ae.NotCKAN || ae.Status == http.StatusNotFound || ae.Status == http.StatusBadRequest) {
			return nil, &vigie.Error{Kind: vigie.KindNotCKAN, ID: "harvester.not_ckan", Args: []any{ae.URL, probeWhy(ae)}, Portal: c.base}
		}
		if errors.As(err, &ae) && ae.Status == 0 {
			return nil, &vigie.Error{Kind: vigie.KindUnreachable, ID: "harvester.unreachable", Args: []any{ae.URL, ae.message()}, Portal: c.base}
		}
		return nil, &vigie.Error{Kind: vigie.KindUnreachable, ID: "harvester.unreachable", Args: []any{c.ActionURL("status_show"), err}, Portal: c.base, Err: err}
	}
	var s struct {
		SiteTitle     json.RawMessage `json:"site_title"`
		CKANVersion   string          `json:"ckan_version"`
		Extensions    json.RawMessage `json:"extensions"`
		LocaleDefault string          `json:"locale_default"`
	}
	if err := json.Unmarshal(res, &s); err != nil {
		return nil, &vigie.Error{Kind: vigie.KindNotCKAN, ID: "harvester.not_object", Args: []any{c.ActionURL("status_show")}, Portal: c.base}
	}
	info := &Info{Title: textOf(s.SiteTitle).best(), CKANVersion: s.CKANVersion, Locale: s.LocaleDefault}
	var ext any
	_ = json.Unmarshal(s.Extensions, &ext)
	switch v := ext.(type) {
	case []any:
		for _, x := range v {
			if str, ok := x.(string); ok {
				info.Extensions = append(info.Extensions, str)
			}
		}
	case string:
		info.Extensions = strings.Fields(v)
	}
	return info, nil
}

// probeWhy is why status_show's answer is not a CKAN action API's, for a
// sentence that names the URL already, in the reader's language.
func probeWhy(ae *APIError) sentence {
	return func(lang string) string {
		msg := shortWhy(lang, ae)
		if ae.Status == 0 {
			return msg
		}
		if l10n.Lang(lang) == "fr" {
			return fmt.Sprintf("HTTP %d : %s", ae.Status, msg)
		}
		return fmt.Sprintf("HTTP %d: %s", ae.Status, msg)
	}
}

// refusedWhy is what the portal said when it refused access: its CKAN error
// type and message, or vigie's words for an answer that is not CKAN's.
func refusedWhy(ae *APIError) sentence {
	return func(lang string) string {
		msg := shortWhy(lang, ae)
		if ae.Type != "" {
			msg = strings.TrimSpace(ae.Type + " " + msg)
		}
		return msg
	}
}

// shortWhy is the error's message without the URL.
func shortWhy(lang string, ae *APIError) string {
	if ae.short != nil {
		return render(lang, ae.short)
	}
	if ae.said != nil {
		return render(lang, ae.said)
	}
	return strings.TrimSuffix(strings.ReplaceAll(ae.Message, " from "+ae.URL, ""), ", not a CKAN API answer")
}

// readBody reads an answer, up to max+1 bytes. When the server announces the
// length (within max, and at most 32 MiB: it is only a hint) the buffer is
// made that size at once, instead of doubling its way up to a page of
// megabytes.
func readBody(body io.Reader, r *http.Response, max int64) ([]byte, error) {
	lr := io.LimitReader(body, max+1)
	if r == nil || r.ContentLength <= 0 || r.ContentLength > min(max, 32<<20) {
		return io.ReadAll(lr)
	}
	buf := bytes.NewBuffer(make([]byte, 0, r.ContentLength+bytes.MinRead))
	_, err := buf.ReadFrom(lr)
	return buf.Bytes(), err
}
