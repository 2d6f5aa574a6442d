package harvester

import (
	"errors"
	"io/fs"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// pathCause is a file error without the path the sentence names already.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// The CKAN client's own sentences, in French and English; what a portal
// answers is quoted as received (cleaned and cut), in either.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"harvester.portal_url":  {FR: "le portail « %s » n'est pas une adresse http(s)", EN: "portal %q is not an http(s) URL"},
		"harvester.not_ckan":    {FR: "%s n'est pas une API d'actions CKAN (%s)", EN: "%s is not a CKAN action API (%s)"},
		"harvester.not_object":  {FR: "%s n'est pas une API d'actions CKAN (le résultat de status_show n'est pas un objet)", EN: "%s is not a CKAN action API (status_show result is not an object)"},
		"harvester.unreachable": {FR: "impossible de joindre l'API CKAN à %s : %s", EN: "cannot reach the CKAN API at %s: %s"},
		"harvester.redirect_private": {FR: "le portail a redirigé vers %s, une adresse de bouclage, privée ou lien-local, alors qu'il n'est pas lui-même sur une telle adresse : redirection non suivie (passez --allow-private si c'est voulu)",
			EN: "the portal redirected to %s, a loopback, private or link-local address, while the portal itself is not on one: not followed (pass --allow-private if that is intended)"},
		"harvester.timeout":     {FR: "aucune réponse de %s avant le délai : le portail est lent ou arrêté", EN: "no answer before the timeout from %s: the portal is slow or down"},
		"harvester.stdin":       {FR: "--from - : aucune entrée standard à lire", EN: "--from -: no standard input to read"},
		"harvester.open":        {FR: "impossible de lire %s : %s", EN: "cannot read %s: %s"},
		"harvester.gzip":        {FR: "%s n'est pas un fichier gzip lisible : %s", EN: "%s is not a readable gzip file: %s"},
		"harvester.empty":       {FR: "le fichier est vide", EN: "the file is empty"},
		"harvester.unreadable":  {FR: "lecture impossible : %s", EN: "cannot read it: %s"},
		"harvester.item":        {FR: "élément %s de la liste : %s", EN: "list item %s: %s"},
		"harvester.bad_json":    {FR: "la valeur %s n'est pas du JSON valide : %s", EN: "value %s is not valid JSON: %s"},
		"harvester.value":       {FR: "valeur %s : %s", EN: "value %s: %s"},
		"harvester.names_only":  {FR: "ne contient que des noms de jeux (package_list) : importez des réponses package_show ou package_search, ou un ckanapi dump", EN: "holds dataset names only (package_list): import package_show or package_search responses, or a ckanapi dump"},
		"harvester.not_package": {FR: "ce n'est pas un dict de jeu CKAN", EN: "not a CKAN package dict"},
		"harvester.saved_error": {FR: "une erreur d'API enregistrée (success: false)", EN: "a saved API error (success: false)"},
		"harvester.user_token": {FR: "l'adresse du portail contient un utilisateur:mot de passe et un jeton d'API CKAN est défini : tous deux passent par l'en-tête Authorization ; retirez l'un des deux",
			EN: "the portal URL holds a user:password and a CKAN API token is set: both need the Authorization header; drop one"},
	})
}
