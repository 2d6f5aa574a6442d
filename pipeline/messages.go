package pipeline

import (
	"errors"
	"os"

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
		"pipeline.import_empty":    {FR: "%s ne contient aucun dict CKAN de jeu, d'organisation ou de licence", EN: "%s holds no CKAN package, organization or licence dicts"},
		"pipeline.folder_name":     {FR: "impossible de créer le dossier du rapport dans %s : %s", EN: "cannot create the report folder in %s: %s"},
		"pipeline.latest_not_link": {FR: "%s existe et n'est pas un lien symbolique : déplacez-le pour que « latest » puisse désigner le dernier audit", EN: "%s exists and is not a symbolic link: move it aside so 'latest' can point at the newest audit"},
		"pipeline.latest_create":   {FR: "impossible de créer le lien « latest » dans %s : %s", EN: "cannot create the 'latest' link in %s: %s"},
		"pipeline.latest_update":   {FR: "impossible de mettre à jour %s : %s", EN: "cannot update %s: %s"},
		"pipeline.sync":            {FR: "synchronisation du dossier %s : %s", EN: "sync folder %s: %s"},
		"pipeline.out_create":      {FR: "impossible de créer le dossier de sortie %s : %s", EN: "cannot create the output folder %s: %s"},
		"pipeline.out_write":       {FR: "impossible d'écrire dans le dossier de sortie %s : %s", EN: "cannot write in the output folder %s: %s"},
		"gate.no_score":            {FR: "aucun score global à comparer avec --fail-under %s (rien d'évalué dans la portée)", EN: "no overall score to compare with --fail-under %s (nothing scored in scope)"},
		"gate.under":               {FR: "le score global moyen %s est sous %s", EN: "mean overall score %s is under %s"},
		"gate.broken_links":        {FR: "broken-links : %s", EN: "broken-links: %s"},
		"gate.delinquent":          {FR: "delinquent : %s", EN: "delinquent: %s"},
		"gate.overdue":             {FR: "overdue : %s", EN: "overdue: %s"},
		"gate.errors":              {FR: "errors : %s", EN: "errors: %s"},
		"gate.new_broken":          {FR: "new-broken-links : %s", EN: "new-broken-links: %s"},
		"gate.score_drop":          {FR: "score-drop : %s plus de %s points (pire : %s %s)", EN: "score-drop: %s more than %s points (worst %s %s)"},
		"n.gate.broken_links":      {FR: "%s lien brisé|%s liens brisés", EN: "%s broken link|%s broken links"},
		"n.gate.delinquent":        {FR: "%s jeu très en retard|%s jeux très en retard", EN: "%s dataset delinquent|%s datasets delinquent"},
		"n.gate.overdue":           {FR: "%s jeu en retard ou très en retard|%s jeux en retard ou très en retard", EN: "%s dataset overdue or delinquent|%s datasets overdue or delinquent"},
		"n.gate.errors":            {FR: "%s constat de gravité erreur|%s constats de gravité erreur", EN: "%s finding of severity error|%s findings of severity error"},
		"n.gate.new_broken":        {FR: "%s lien brisé depuis l'audit précédent|%s liens brisés depuis l'audit précédent", EN: "%s link broke since the previous audit|%s links broke since the previous audit"},
		"n.gate.dropped":           {FR: "%s jeu a perdu|%s jeux ont perdu", EN: "%s dataset lost|%s datasets lost"},
		"pipeline.stopped":         {FR: "audit arrêté pendant %s : %s", EN: "audit stopped at %s: %s"},
		// The audit's stages in a French sentence; English names them by their code.
		"stage.harvest":   {FR: "le moissonnage", EN: "harvest"},
		"stage.links":     {FR: "la vérification des liens", EN: "links"},
		"stage.score":     {FR: "l'évaluation", EN: "score"},
		"stage.reports":   {FR: "l'écriture des rapports", EN: "reports"},
		"pipeline.import": {FR: "importation de %s : %s", EN: "import %s: %s"},
	})
}

// count is a number of datasets in a sentence, grouped in the reader's
// language ("1 567" in French, "1,567" in English).
func count(n int) l10n.Num { return l10n.Whole(n) }

// unwrapPath is the system's error without the path it names (the
// sentence names it already): "permission denied".
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError // a rename or a link names two paths
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
