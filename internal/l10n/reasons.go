package l10n

import (
	"regexp"
	"strings"

	"github.com/vigie-audit/vigie"
)

// The link checker stores its reasons as codes with parameters
// (vigie.EncodeLinkReasons), rendered in either language by
// vigie.LinkReasonText. A reason stored in English by an older vigie that
// migration 0100 did not recognise is shown in French by the table below:
// each part ("; "-separated) is matched by its English start; what follows
// (a host name, an HTTP code, an error) is kept.
var reasonsFR = []struct{ en, fr string }{
	{"host unreachable during this run: not checked, tried again next run", "hôte injoignable pendant cette exécution : non vérifié, réessayé à la prochaine"},
	{"check interrupted", "vérification interrompue"},
	{"answers with an OGC service exception report", "répond par un rapport d'exception de service OGC"},
	{"answers with an empty body", "répond par un corps vide"},
	{"the body could not be read: ", "le corps n'a pas pu être lu : "},
	{"blocks automated clients with a bot challenge", "bloque les clients automatisés par un défi anti-robot"},
	{"requires a login", "demande une connexion"},
	{"refuses access", "refuse l'accès"},
	{"asks to slow down", "demande de ralentir"},
	{"not found", "introuvable"},
	{"gone", "supprimé"},
	{"temporarily unavailable", "temporairement indisponible"},
	{"server error", "erreur du serveur"},
	{"refuses the request", "refuse la requête"},
	{"answers with a redirect that cannot be followed", "répond par une redirection impossible à suivre"},
	{"answers with an unusual status", "répond par un statut inhabituel"},
	{"address is not public", "adresse non publique"},
	{"redirect loop", "boucle de redirections"},
	{"redirects to an unsupported scheme ", "redirige vers un schéma non pris en charge "},
	{"host name does not resolve", "le nom d'hôte ne se résout pas"},
	{"host name lookup failed", "la recherche du nom d'hôte a échoué"},
	{"connection refused", "connexion refusée"},
	{"host unreachable", "hôte injoignable"},
	{"no answer within ", "aucune réponse en "},
	{"TLS error: ", "erreur TLS : "},
	{"the server closed the connection", "le serveur a fermé la connexion"},
	{"request failed: ", "la requête a échoué : "},
	{"landing page", "page d'accueil"},
	{"not a URL", "pas une URL"},
	{"empty URL", "URL vide"},
}

var (
	serves   = regexp.MustCompile(`^serves an HTML page where (.+) data was declared$`)
	reached  = regexp.MustCompile(`^reached after (\d+) redirects: point the resource at the final address$`)
	moreThan = regexp.MustCompile(`^more than (\d+) redirects$`)
)

// LinkReason returns a link checker reason in lang.
func LinkReason(lang, reason string) string {
	if _, ok := vigie.ParseLinkReasons(reason); ok {
		return vigie.LinkReasonText(Lang(lang), reason)
	}
	if Lang(lang) == "en" {
		return reason
	}
	parts := strings.Split(reason, "; ")
	for i, p := range parts {
		parts[i] = reasonPartFR(p)
	}
	return strings.Join(parts, " ; ")
}

func reasonPartFR(p string) string {
	if m := serves.FindStringSubmatch(p); m != nil {
		return "sert une page HTML là où des données " + m[1] + " étaient déclarées"
	}
	if m := reached.FindStringSubmatch(p); m != nil {
		return "atteint après " + m[1] + " redirections : pointez la ressource vers l'adresse finale"
	}
	if m := moreThan.FindStringSubmatch(p); m != nil {
		return "plus de " + m[1] + " redirections"
	}
	for _, r := range reasonsFR {
		if strings.HasPrefix(p, r.en) {
			return r.fr + p[len(r.en):]
		}
	}
	return p
}
