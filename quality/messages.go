package quality

import (
	"errors"
	"io/fs"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// The profile loader's errors a user meets first, in French and English.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"quality.no_builtin": {FR: "aucun profil intégré « %s » : choisissez parmi %s", EN: "no built-in profile %q: choose one of %s"},
		"quality.unknown":    {FR: "profil inconnu « %s » : choisissez parmi %s, ou donnez le chemin d'un fichier YAML", EN: "unknown profile %q: choose one of %s, or pass a YAML file path"},
		"quality.read":       {FR: "lecture du profil %s : %s", EN: "read profile %s: %s"},
		"quality.profile":    {FR: "profil %s : %s", EN: "profile %s: %s"},

		// The checks of a profile file.
		"quality.p.yaml":            {FR: "YAML invalide : %s", EN: "not valid YAML: %s"},
		"quality.p.extends":         {FR: "profil « %s » : trop de niveaux d'extends", EN: "profile %q: too many levels of extends"},
		"quality.p.invalid":         {FR: "profil invalide : %s", EN: "not a valid profile: %s"},
		"quality.p.no_name":         {FR: "le profil n'a pas de nom (name)", EN: "the profile has no name"},
		"quality.p.mqa_access_url":  {FR: "mqa_access_url vaut « %s » : utilisez %s (la vérification de vigie, GET quand HEAD échoue) ou %s (la lecture stricte de piveau)", EN: "mqa_access_url is %q: use %s (vigie's check, GET when HEAD fails) or %s (piveau's strict reading)"},
		"quality.p.unknown_weight":  {FR: "poids inconnu « %s » : utilisez completeness, freshness, openness, availability ou mqa", EN: "unknown weight %q: use completeness, freshness, openness, availability or mqa"},
		"quality.p.weight":          {FR: "le poids %s vaut %s : donnez un nombre de 0 à %s (0 laisse la dimension de côté)", EN: "weight %s is %s: give a number from 0 to %s (0 leaves the dimension out)"},
		"quality.p.weights_zero":    {FR: "la somme des poids est nulle : donnez un poids positif à au moins une dimension", EN: "the weights sum to zero: give at least one dimension a positive weight"},
		"quality.p.unknown_check":   {FR: "vérification de complétude n° %s : vérification « %s » inconnue (connues : %s)", EN: "completeness check %s: unknown check %q (known: %s)"},
		"quality.p.points":          {FR: "vérification de complétude %s : elle vaut %s points : donnez un nombre au-dessus de 0 et d'au plus %s", EN: "completeness check %s: points are %s: give a number above 0 and at most %s"},
		"quality.p.baseline":        {FR: "baseline.datasets doit être un nombre de jeux positif", EN: "baseline.datasets must be a positive number of datasets"},
		"quality.p.stars_count":     {FR: "openness.score_by_stars demande 6 valeurs, de 0 à 5 étoiles", EN: "openness.score_by_stars needs 6 values, for 0 to 5 stars"},
		"quality.p.stars_rise":      {FR: "openness.score_by_stars doit monter de 0 à 100 au plus", EN: "openness.score_by_stars must rise from 0 to at most 100"},
		"quality.p.stars_top":       {FR: "openness.score_by_stars doit donner 100 à 5 étoiles", EN: "openness.score_by_stars must give 100 to 5 stars"},
		"quality.p.status_missing":  {FR: "il manque « %s » à freshness.status_scores", EN: "freshness.status_scores lacks %q"},
		"quality.p.status_range":    {FR: "freshness.status_scores.%s doit être entre 0 et 100", EN: "freshness.status_scores.%s must be within 0–100"},
		"quality.p.status_fresh":    {FR: "freshness.status_scores.fresh doit valoir 100", EN: "freshness.status_scores.fresh must be 100"},
		"quality.p.legacy_before":   {FR: "legacy_before doit être une date AAAA-MM-JJ, et non « %s »", EN: "legacy_before must be a date YYYY-MM-DD, not %q"},
		"quality.p.threshold":       {FR: "freshness.thresholds.%s : %s", EN: "freshness.thresholds.%s: %s"},
		"quality.p.threshold_order": {FR: "freshness.thresholds.%s doit respecter due ≤ overdue ≤ delinquent, tous > 0", EN: "freshness.thresholds.%s must be due ≤ overdue ≤ delinquent, all > 0"},
		"quality.p.span":            {FR: "durée « %s » invalide : écrivez par exemple 3h ou 30d", EN: "bad span %q: write e.g. 3h or 30d"},
	})
}

// perr is a profile's mistake: a usage error whose sentence is message id.
func perr(id string, args ...any) error { return vigie.NewError(vigie.KindUsage, id, args...) }

// pathCause is a file error without the path the sentence names already.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
