package pipeline

import (
	"errors"
	"os"
	"strconv"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// The stages' errors, in French and English. They say what is wrong and
// carry their kind; the command line says what to do about it.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"pipeline.unknown_org": {FR: "l'organisation « %s » n'existe pas sur ce portail (organization_list en compte %s)",
			EN: "no such organization on this portal: %q (organization_list has %s)"},
		"pipeline.nothing_to_score": {FR: "aucun jeu actif à évaluer pour %s%s", EN: "no active dataset to score for %s%s"},
		"pipeline.orgs_note":        {FR: " (organisations %s)", EN: " (organizations %s)"},
		"pipeline.mass_missing": {FR: "la liste omet %s des %s jeux actifs (%s, au-delà du seuil de %s) mais package_show en trouve encore %s sur %s vérifiés : l'index de recherche est sans doute incomplet ; aucun n'a été marqué disparu",
			EN: "the listing lacks %s of %s active datasets (%s, above the limit of %s) but package_show finds %s of %s sampled still there: the search index is probably incomplete; nothing was marked missing"},
		"pipeline.mass_missing.check": {FR: "la liste omet %s des %s jeux actifs (%s), et la vérification par package_show de %s a échoué : %s ; aucun n'a été marqué disparu",
			EN: "the listing lacks %s of %s active datasets (%s), and package_show %s to check them failed: %s; nothing was marked missing"},
		"pipeline.import_missing": {FR: "le fichier omet %s des %s jeux actifs (%s, au-delà du seuil de %s) ; aucun n'a été marqué disparu",
			EN: "the file lacks %s of %s active datasets (%s, above the limit of %s); nothing was marked missing"},
		"pipeline.import_empty": {FR: "%s ne contient aucun dict CKAN de jeu, d'organisation ou de licence", EN: "%s holds no CKAN package, organization or licence dicts"},
		"pipeline.out_create":   {FR: "impossible de créer le dossier de sortie %s : %s", EN: "cannot create the output folder %s: %s"},
		"pipeline.out_write":    {FR: "impossible d'écrire dans le dossier de sortie %s : %s", EN: "cannot write in the output folder %s: %s"},
		"pipeline.import":       {FR: "importation de %s : %s", EN: "import %s: %s"},
	})
}

// count writes a number of datasets in an error (no grouping: the same in
// both languages, and as the portal's API writes it).
func count(n int) string { return strconv.Itoa(n) }

// unwrapPath is the system's error without the path it names (the
// sentence names it already): "permission denied".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
