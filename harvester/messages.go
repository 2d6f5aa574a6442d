package harvester

import "github.com/vigie-audit/vigie/internal/l10n"

// The CKAN client's own sentences, in French and English; what a portal
// answers is quoted as received (cleaned and cut), in either.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"harvester.portal_url":  {FR: "le portail « %s » n'est pas une adresse http(s)", EN: "portal %q is not an http(s) URL"},
		"harvester.not_ckan":    {FR: "%s n'est pas une API d'actions CKAN (%s)", EN: "%s is not a CKAN action API (%s)"},
		"harvester.not_object":  {FR: "%s n'est pas une API d'actions CKAN (le résultat de status_show n'est pas un objet)", EN: "%s is not a CKAN action API (status_show result is not an object)"},
		"harvester.unreachable": {FR: "impossible de joindre l'API CKAN à %s : %s", EN: "cannot reach the CKAN API at %s: %s"},
		"harvester.timeout":     {FR: "aucune réponse de %s avant le délai : le portail est lent ou arrêté", EN: "no answer before the timeout from %s: the portal is slow or down"},
		"harvester.stdin":       {FR: "--from - : aucune entrée standard à lire", EN: "--from -: no standard input to read"},
		"harvester.open":        {FR: "impossible de lire %s : %s", EN: "cannot read %s: %s"},
		"harvester.gzip":        {FR: "%s n'est pas un fichier gzip lisible : %s", EN: "%s is not a readable gzip file: %s"},
		"harvester.user_token": {FR: "l'adresse du portail contient un utilisateur:mot de passe et un jeton d'API CKAN est défini : tous deux passent par l'en-tête Authorization ; retirez l'un des deux",
			EN: "the portal URL holds a user:password and a CKAN API token is set: both need the Authorization header; drop one"},
	})
}
