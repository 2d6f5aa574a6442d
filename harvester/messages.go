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
		// A portal's answer that is not what a CKAN action API says.
		"harvester.empty_answer":           {FR: "réponse vide de %s", EN: "empty answer from %s"},
		"harvester.empty_answer.short":     {FR: "réponse vide", EN: "empty answer"},
		"harvester.html":                   {FR: "page HTML de %s, et non une réponse de l'API CKAN", EN: "HTML page from %s, not a CKAN API answer"},
		"harvester.html.short":             {FR: "page HTML", EN: "HTML page"},
		"harvester.html_titled":            {FR: "page HTML « %s » de %s, et non une réponse de l'API CKAN", EN: "HTML page %q from %s, not a CKAN API answer"},
		"harvester.html_titled.short":      {FR: "page HTML « %s »", EN: "HTML page %q"},
		"harvester.answer_json":            {FR: "JSON incomplet ou invalide de %s : %s", EN: "incomplete or invalid JSON from %s: %s"},
		"harvester.answer_json.short":      {FR: "JSON incomplet ou invalide : %s", EN: "incomplete or invalid JSON: %s"},
		"harvester.not_json":               {FR: "la réponse de %s n'est pas du JSON : « %s »", EN: "answer from %s is not JSON: %q"},
		"harvester.not_json.short":         {FR: "la réponse n'est pas du JSON : « %s »", EN: "answer is not JSON: %q"},
		"harvester.no_envelope":            {FR: "le JSON de %s n'a pas l'enveloppe de CKAN (success/result)", EN: "JSON from %s has no CKAN envelope (success/result)"},
		"harvester.no_envelope.short":      {FR: "le JSON n'a pas l'enveloppe de CKAN (success/result)", EN: "JSON has no CKAN envelope (success/result)"},
		"harvester.success_false":          {FR: "success vaut false, sans message", EN: "success is false"},
		"harvester.answer_too_large":       {FR: "réponse de plus de %s Mio", EN: "answer larger than %s MiB"},
		"harvester.answer_too_large.bytes": {FR: "réponse de plus de %s octets", EN: "answer larger than %s bytes"},
		"harvester.dropped":                {FR: "connexion coupée pendant la lecture de la réponse de %s : %s", EN: "connection dropped while reading the answer from %s: %s"},
		"harvester.redirect_other": {FR: "le portail a redirigé vers %s (un autre hôte), qui a répondu HTTP %s ; sa réponse n'est pas citée",
			EN: "the portal redirected to %s (another host), which answered HTTP %s; its answer is not quoted"},
		"harvester.attempts": {FR: "%s (après %s essais)", EN: "%s (after %s attempts)"},
		"harvester.refused":  {FR: "le portail refuse l'accès à %s (HTTP %s) : %s", EN: "the portal refuses access to %s (HTTP %s): %s"},
		// Where in a pass the answer came.
		"harvester.at_orgs":       {FR: "organization_list (à partir de %s) : %s", EN: "organization_list (offset %s): %s"},
		"harvester.orgs_not_list": {FR: "organization_list : le résultat n'est pas une liste", EN: "organization_list: result is not a list"},
		"harvester.orgs_endless": {FR: "organization_list (à partir de %s) : la liste du portail ne finit pas : plus de %s organisations listées, de nouvelles à chaque page ; vigie s'arrête là : réessayez plus tard ou prévenez les administrateurs du portail",
			EN: "organization_list (offset %s): the portal's listing does not end: more than %s organizations listed, new ones on every page; vigie stops there, retry later or tell the portal's administrators"},
		"harvester.at_show":       {FR: "package_show %s : %s", EN: "package_show %s: %s"},
		"harvester.at_search":     {FR: "package_search (à partir de %s) : %s", EN: "package_search (start %s): %s"},
		"harvester.no_count":      {FR: "package_search : le résultat n'est pas un résultat de recherche (pas de count)", EN: "package_search: result is not a search result (no count)"},
		"harvester.decode_result": {FR: "un résultat de package_search (à partir de %s) : %s", EN: "decode a package_search result (start %s): %s"},
		"harvester.paging_ignored": {FR: "package_search à partir de %s : le portail ne tient pas compte de la pagination (start) : il a renvoyé deux fois la même page ; vigie ne peut pas lister ce portail",
			EN: "package_search at start %s: the portal ignores paging (start): it returned the same page twice; vigie cannot list this portal"},
		"harvester.past_count": {FR: "package_search à partir de %s : le portail renvoie encore des jeux au-delà de son total de %s ; vigie ne peut pas lister ce portail",
			EN: "package_search at start %s: the portal keeps returning datasets past its count of %s; vigie cannot list this portal"},
		"harvester.pages_cycle": {FR: "package_search à partir de %s : la liste du portail ne finit pas : ses pages ramènent des jeux déjà listés (%s distincts sur %s résultats, le portail en compte %s) ; vigie ne peut pas lister ce portail : réessayez plus tard ou prévenez ses administrateurs",
			EN: "package_search at start %s: the portal's listing does not end: its pages bring back datasets already listed (%s distinct in %s results, the portal counts %s); vigie cannot list this portal, retry later or tell its administrators"},
		"harvester.too_many_datasets": {FR: "package_search à partir de %s : la liste du portail ne finit pas : plus de %s jeux listés (le portail en compte %s) ; vigie s'arrête là",
			EN: "package_search at start %s: the portal's listing does not end: more than %s datasets listed (the portal counts %s); vigie stops there"},
		// A value that is not what vigie reads.
		"harvester.not_package.why":    {FR: "ce n'est pas un dict de jeu CKAN : %s", EN: "not a CKAN package dict: %s"},
		"harvester.why.invalid_json":   {FR: "JSON invalide", EN: "invalid JSON"},
		"harvester.why.malformed":      {FR: "JSON mal formé", EN: "malformed JSON"},
		"harvester.why.not_object":     {FR: "ce n'est pas un objet", EN: "not an object"},
		"harvester.why.no_id":          {FR: "il n'a ni id ni name", EN: "it has neither id nor name"},
		"harvester.resources_not_list": {FR: "jeu %s : resources n'est pas une liste d'objets", EN: "package %s: resources is not a list of objects"},
		"harvester.not_org":            {FR: "ce n'est pas un dict d'organisation", EN: "not an organization dict"},
		"harvester.org_no_name":        {FR: "organisation sans nom", EN: "organization without a name"},
		"harvester.licences_not_list":  {FR: "le résultat de license_list n'est pas une liste de licences", EN: "license_list result is not a list of licences"},
		"harvester.user_token": {FR: "l'adresse du portail contient un utilisateur:mot de passe et un jeton d'API CKAN est défini : tous deux passent par l'en-tête Authorization ; retirez l'un des deux",
			EN: "the portal URL holds a user:password and a CKAN API token is set: both need the Authorization header; drop one"},
	})
}
