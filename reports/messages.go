package reports

import (
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// The report builders' errors, in French and English. They carry their kind
// and the portal; the command line says what to do about each kind.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"reports.not_scored":         {FR: "%s n'a aucune évaluation terminée dans %s", EN: "%s has no complete score run in %s"},
		"reports.not_scored.compare": {FR: "%s (%s) n'a aucune évaluation terminée : évaluez-le d'abord, ou laissez-le de côté", EN: "%s (%s) has no complete score run: score it first, or leave it out"},
		"reports.not_scored.any":     {FR: "aucun des portails à comparer n'a d'évaluation terminée", EN: "no portal to compare has a complete score run"},
		"reports.org_not_scored":     {FR: "l'organisation %s n'a aucun jeu évalué", EN: "organization %s has no scored dataset"},
		"reports.sep":                {FR: "une virgule décimale demande un autre séparateur de champs (;)", EN: "a decimal comma needs another field separator (;)"},
		"reports.disk_full":          {FR: "écriture de %s : disque plein (%s) ; le rapport précédent est inchangé", EN: "write %s: disk full (%s); the previous report is unchanged"},
		"reports.mkdir":              {FR: "impossible de créer le dossier %s : %s", EN: "cannot create folder %s: %s"},
		"reports.write":              {FR: "écriture de %s : %s", EN: "write %s: %s"},
		"reports.sync":               {FR: "synchronisation du dossier %s : %s", EN: "sync folder %s: %s"},
		"reports.format_failed":      {FR: "rapport %s : %s", EN: "%s report: %s"},
		"reports.org_failed":         {FR: "rapport de %s : %s", EN: "report of %s: %s"},
		"reports.sheet":              {FR: "feuille %s : %s", EN: "%s sheet: %s"},
		"reports.no_write":           {FR: "impossible d'écrire dans %s : %s : vérifiez que le dossier existe et qu'il est accessible en écriture", EN: "cannot write in %s: %s: check the folder exists and is writable"},
	})
}

// notScored is the not-scored error of the portal at url: it wraps
// ErrNotScored.
func notScored(url string, id string, args ...any) error {
	return &vigie.Error{Kind: vigie.KindNotScored, ID: id, Args: args, Portal: url, Err: ErrNotScored}
}
