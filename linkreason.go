package vigie

import (
	"strconv"
	"strings"
)

// Link reason codes. A link check's reason is stored as codes with their
// parameters, never as prose, so that every report renders it in its own
// language. The stored form is "code|param|param", several reasons joined by
// ";" (see EncodeLinkReasons); text that parses as no known code is a reason
// stored by an older vigie and is shown as is.
const (
	ReasonDNSNotFound        = "dns_not_found"               // host name
	ReasonDNSFailed          = "dns_failed"                  // host name
	ReasonConnectionRefused  = "connection_refused"          //
	ReasonHostUnreachable    = "host_unreachable"            //
	ReasonHostUnreachableRun = "host_unreachable_this_run"   // circuit breaker: not checked
	ReasonTimeout            = "timeout"                     // duration
	ReasonTLSError           = "tls_error"                   // kind: unknown_authority, hostname, invalid, handshake
	ReasonConnectionClosed   = "connection_closed"           //
	ReasonRequestFailed      = "request_failed"              // error text (technical, not translated)
	ReasonBodyUnreadable     = "body_unreadable"             // an inner reason code and its parameters
	ReasonHTTPStatus         = "http_status"                 // status
	ReasonBotChallenge       = "bot_challenge"               // status
	ReasonRateLimited        = "rate_limited"                // status, optional Retry-After that was too long
	ReasonTemporarilyDown    = "temporarily_unavailable"     // status
	ReasonTooManyRedirects   = "too_many_redirects"          // the limit
	ReasonRedirectLoop       = "redirect_loop"               //
	ReasonRedirectScheme     = "redirect_unsupported_scheme" // scheme
	ReasonManyRedirects      = "many_redirects"              // count (a note on a working link)
	ReasonEmptyBody          = "empty_body"                  //
	ReasonOGCException       = "ogc_exception"               //
	ReasonLandingPage        = "landing_page"                // declared format
	ReasonBlockedAddress     = "blocked_address"             //
	ReasonInvalidURL         = "invalid_url"                 // kind: empty, control, parse, no_scheme, file_path, no_host, bad_port; detail
	ReasonUnsupportedScheme  = "unsupported_scheme"          // scheme
	ReasonInterrupted        = "check_interrupted"           //
)

// LinkReason is one reason code and its parameters.
type LinkReason struct {
	Code string
	Args []string
}

// R builds a LinkReason.
func R(code string, args ...string) LinkReason { return LinkReason{Code: code, Args: args} }

// HTTPReason is the reason for an HTTP status with no more specific code.
func HTTPReason(status int) LinkReason { return R(ReasonHTTPStatus, strconv.Itoa(status)) }

// EncodeLinkReasons is the stored form of reasons: "code|arg;code|arg".
// Parameters lose the separators, so the form always parses back.
func EncodeLinkReasons(rs ...LinkReason) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Code == "" {
			continue
		}
		s := r.Code
		for _, a := range r.Args {
			s += "|" + strings.NewReplacer("|", "/", ";", ",").Replace(a)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ";")
}

// ParseLinkReasons reads a stored reason. ok is false when the text is not
// made of known codes (an older vigie's English prose, kept as is).
func ParseLinkReasons(s string) (rs []LinkReason, ok bool) {
	if s == "" {
		return nil, true
	}
	for _, p := range strings.Split(s, ";") {
		f := strings.Split(p, "|")
		if _, known := linkReasonTexts[f[0]]; !known {
			return nil, false
		}
		rs = append(rs, LinkReason{Code: f[0], Args: f[1:]})
	}
	return rs, true
}

// LinkReasonCodes lists every reason code, for tests and documentation.
func LinkReasonCodes() []string {
	out := make([]string, 0, len(linkReasonTexts))
	for c := range linkReasonTexts {
		out = append(out, c)
	}
	return out
}

// LinkReasonText renders a stored reason in lang ("en", French otherwise).
// Text that is not made of codes is returned unchanged.
func LinkReasonText(lang, stored string) string {
	rs, ok := ParseLinkReasons(stored)
	if !ok {
		return stored
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Text(lang)
	}
	if lang == "en" {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, " ; ")
}

// LinkReasonCode is the stored reason's codes without parameters, joined by
// ";" ("" when the text predates codes), for machine-readable output.
func LinkReasonCode(stored string) string {
	rs, ok := ParseLinkReasons(stored)
	if !ok {
		return ""
	}
	cs := make([]string, len(rs))
	for i, r := range rs {
		cs[i] = r.Code
	}
	return strings.Join(cs, ";")
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// Localize is Text: a reason inside a catalogue sentence (a portal that
// cannot be reached) is rendered in the reader's language.
func (r LinkReason) Localize(lang string) string { return r.Text(lang) }

// Text renders one reason in lang.
func (r LinkReason) Text(lang string) string {
	t, ok := linkReasonTexts[r.Code]
	if !ok {
		return r.Code
	}
	en := lang == "en"
	pick := func(fr, e string) string {
		if en {
			return e
		}
		return fr
	}
	a0, a1 := arg(r.Args, 0), arg(r.Args, 1)
	switch r.Code {
	case ReasonLandingPage:
		if a0 == "" {
			return pick("sert une page HTML là où des données étaient déclarées", "serves an HTML page where data was declared")
		}
	case ReasonHTTPStatus:
		return "HTTP " + a0 + ", " + statusText(lang, a0)
	case ReasonBotChallenge, ReasonTemporarilyDown:
		return pick(t[0], t[1]) + " (HTTP " + a0 + ")"
	case ReasonRateLimited:
		s := pick(t[0], t[1]) + " (HTTP " + a0 + ")"
		if a1 != "" {
			s += pick(" ; le délai demandé (Retry-After "+a1+") est trop long pour attendre",
				"; Retry-After "+a1+" is too long to wait")
		}
		return s
	case ReasonTLSError:
		k, ok := tlsKinds[a0]
		if !ok {
			return pick(t[0], t[1])
		}
		return pick(t[0]+" ("+k[0]+")", t[1]+" ("+k[1]+")")
	case ReasonInvalidURL:
		k, ok := invalidURLKinds[a0]
		if !ok {
			k = [2]string{"", ""}
		}
		s := pick(t[0], t[1])
		if k[0] != "" {
			s += pick(" : "+k[0], ": "+k[1])
		}
		if a0 == "bad_port" && a1 != "" {
			s += " " + a1
		} else if a1 != "" {
			s += " (" + a1 + ")"
		}
		return s
	case ReasonBodyUnreadable:
		inner := LinkReason{}
		if len(r.Args) > 0 {
			inner = LinkReason{Code: r.Args[0], Args: r.Args[1:]}
		}
		if _, ok := linkReasonTexts[inner.Code]; !ok || inner.Code == ReasonBodyUnreadable {
			return pick(t[0], t[1])
		}
		return pick(t[0]+" : ", t[1]+": ") + inner.Text(lang)
	}
	s := pick(t[0], t[1])
	if strings.Contains(s, "%s") {
		s = strings.ReplaceAll(s, "%s", a0)
	}
	return s
}

// linkReasonTexts holds each code's French and English text; "%s" stands
// for the first parameter.
var linkReasonTexts = map[string][2]string{
	ReasonDNSNotFound:        {"le nom d'hôte n'existe pas (%s)", "host name does not resolve (%s)"},
	ReasonDNSFailed:          {"la résolution du nom d'hôte a échoué (%s)", "host name lookup failed (%s)"},
	ReasonConnectionRefused:  {"connexion refusée", "connection refused"},
	ReasonHostUnreachable:    {"hôte injoignable", "host unreachable"},
	ReasonHostUnreachableRun: {"hôte injoignable pendant cette vérification : lien non vérifié, il le sera à la prochaine", "host unreachable during this run: not checked, tried again next run"},
	ReasonTimeout:            {"aucune réponse en %s", "no answer within %s"},
	ReasonTLSError:           {"erreur TLS", "TLS error"},
	ReasonConnectionClosed:   {"le serveur a fermé la connexion", "the server closed the connection"},
	ReasonRequestFailed:      {"la requête a échoué (%s)", "request failed (%s)"},
	ReasonBodyUnreadable:     {"le contenu n'a pas pu être lu", "the body could not be read"},
	ReasonHTTPStatus:         {"HTTP %s", "HTTP %s"},
	ReasonBotChallenge:       {"bloque les clients automatisés par un test anti-robot", "blocks automated clients with a bot challenge"},
	ReasonRateLimited:        {"demande de ralentir", "asks to slow down"},
	ReasonTemporarilyDown:    {"temporairement indisponible", "temporarily unavailable"},
	ReasonTooManyRedirects:   {"plus de %s redirections", "more than %s redirects"},
	ReasonRedirectLoop:       {"boucle de redirections", "redirect loop"},
	ReasonRedirectScheme:     {"redirige vers un protocole non pris en charge (%s:)", "redirects to an unsupported scheme %s:"},
	ReasonManyRedirects:      {"atteint après %s redirections : pointer la ressource vers l'adresse finale", "reached after %s redirects: point the resource at the final address"},
	ReasonEmptyBody:          {"répond avec un contenu vide", "answers with an empty body"},
	ReasonOGCException:       {"répond par un rapport d'exception de service OGC", "answers with an OGC service exception report"},
	ReasonLandingPage:        {"sert une page HTML là où des données %s étaient déclarées", "serves an HTML page where %s data was declared"},
	ReasonBlockedAddress:     {"l'adresse n'est pas publique", "address is not public"},
	ReasonInvalidURL:         {"URL non valide", "not a URL"},
	ReasonUnsupportedScheme:  {"protocole %s non pris en charge : non vérifié", "unsupported scheme %s: not checked"},
	ReasonInterrupted:        {"vérification interrompue", "check interrupted"},
}

var tlsKinds = map[string][2]string{
	"unknown_authority": {"certificat signé par une autorité inconnue", "certificate signed by an unknown authority"},
	"hostname":          {"le certificat ne correspond pas au nom d'hôte", "certificate does not match the host name"},
	"invalid":           {"certificat non valide ou expiré", "certificate invalid or expired"},
	"handshake":         {"la négociation TLS a échoué", "TLS handshake failed"},
}

var invalidURLKinds = map[string][2]string{
	"empty":     {"l'URL est vide", "the URL is empty"},
	"control":   {"l'URL contient des caractères de contrôle", "the URL contains control characters"},
	"parse":     {"", ""},
	"no_scheme": {"elle n'a pas de protocole comme https://", "it has no scheme such as https://"},
	"file_path": {"elle ressemble à un chemin de fichier", "it looks like a file path"},
	"no_host":   {"elle n'a pas de nom d'hôte", "it has no host name"},
	"bad_port":  {"port incorrect", "bad port"},
}

// statusText names an HTTP status the way the checker judges it.
func statusText(lang, status string) string {
	s, _ := strconv.Atoi(status)
	var t [2]string
	switch {
	case s == 401 || s == 407:
		t = [2]string{"connexion requise", "requires a login"}
	case s == 403:
		t = [2]string{"accès refusé", "refuses access"}
	case s == 404:
		t = [2]string{"introuvable", "not found"}
	case s == 410:
		t = [2]string{"supprimé définitivement", "gone"}
	case s == 503:
		t = [2]string{"service indisponible", "service unavailable"}
	case s >= 500 && s < 600:
		t = [2]string{"erreur du serveur", "server error"}
	case s >= 400 && s < 500:
		t = [2]string{"requête refusée", "refuses the request"}
	case s >= 300 && s < 400:
		t = [2]string{"redirection impossible à suivre", "a redirect that cannot be followed"}
	default:
		t = [2]string{"statut inhabituel", "unusual status"}
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}
