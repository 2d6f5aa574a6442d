package store

import (
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// The store's errors say what is wrong, in French and English, and carry
// their kind and the values a hint needs (the database's path, the
// portal); the command line adds what to do about each kind.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"store.no_path":    {FR: "aucun fichier de base de données indiqué", EN: "no database path"},
		"store.db_missing": {FR: "la base de données %s n'existe pas", EN: "database %s does not exist"},
		"store.db_empty":   {FR: "la base de données %s est vide", EN: "database %s is empty"},
		"store.no_folder":  {FR: "base de données %s : le dossier %s n'existe pas", EN: "database %s: folder %s does not exist"},
		"store.open":       {FR: "impossible d'ouvrir la base de données %s : %s", EN: "open database %s: %s"},
		"store.wal":        {FR: "base de données %s : impossible de passer en mode WAL (obtenu « %s ») : placez-la sur un disque local", EN: "database %s: cannot switch to WAL mode (got %q): put it on a local disk"},
		"store.disk_full":  {FR: "base de données %s : écriture impossible, son disque est plein ou défaillant (%s)", EN: "database %s: cannot write, its disk is full or failing (%s)"},
		"store.not_vigie":  {FR: "la base de données %s n'est pas une base vigie ou est endommagée", EN: "database %s is not a vigie database or is corrupted"},
		"store.shared_owner": {FR: "la base de données %s appartient à %s : la lire en tant que %s créerait ses fichiers -wal et -shm au nom de %s, que %s ne pourrait pas écrire ; lancez vigie en tant que %s, ou partagez la base par un groupe (voir le README, « Sharing a database between users »)",
			EN: "database %s belongs to %s: reading it as %s would create its -wal and -shm files owned by %s, which %s could not write; run vigie as %s, or share the database through a group (see README, 'Sharing a database between users')"},
		"store.read_only":          {FR: "la base de données %s ne peut pas être écrite", EN: "database %s cannot be written"},
		"store.busy":               {FR: "la base de données %s est verrouillée par un autre processus", EN: "database %s is locked by another process"},
		"store.error":              {FR: "base de données %s : %s", EN: "database %s: %s"},
		"store.migration":          {FR: "base de données %s : migration %s : %s", EN: "database %s: migration %s: %s"},
		"store.other_app":          {FR: "la base de données %s appartient à une autre application (application_id SQLite %s), pas à vigie", EN: "database %s belongs to another application (SQLite application_id %s), not vigie"},
		"store.foreign_tables":     {FR: "la base de données %s n'est pas une base vigie (ses tables sont celles d'une autre application)", EN: "database %s is not a vigie database (its tables are another application's)"},
		"store.newer":              {FR: "la base de données %s a été écrite par un vigie plus récent (schéma %s inconnu de celui-ci)", EN: "database %s was written by a newer vigie (schema %s unknown to this one)"},
		"store.corrupted":          {FR: "la base de données %s est endommagée (%s)", EN: "database %s is corrupted (%s)"},
		"store.truncated":          {FR: "la base de données %s est endommagée (tronquée : %s octets sur %s)", EN: "database %s is corrupted (truncated: %s of %s bytes)"},
		"store.lock_create":        {FR: "impossible de créer le fichier de verrou %s", EN: "cannot create lock file %s"},
		"store.lock":               {FR: "impossible de verrouiller %s : %s", EN: "cannot lock %s: %s"},
		"store.in_use":             {FR: "%s est en cours d'écriture par « vigie %s » (pid %s sur %s, depuis %s)", EN: "%s is being written by 'vigie %s' (pid %s on %s, since %s)"},
		"store.in_use.unknown":     {FR: "%s est en cours d'écriture par un autre processus vigie", EN: "%s is being written by another vigie process"},
		"store.portal_url":         {FR: "le portail « %s » n'est pas une adresse http(s)", EN: "portal %q is not an http(s) URL"},
		"store.not_harvested":      {FR: "le portail %s n'a pas été moissonné dans %s", EN: "portal %s has not been harvested into %s"},
		"store.not_harvested.held": {FR: "le portail %s n'a pas été moissonné dans %s, qui contient %s", EN: "portal %s has not been harvested into %s, which holds %s"},
		"store.no_harvest_run":     {FR: "aucun moissonnage %s pour ce portail", EN: "no %s harvest run for this portal yet"},
		"store.run_kind.complete":  {FR: "terminé", EN: "complete"},
		"store.run_kind.full":      {FR: "complet", EN: "complete full"},
		"store.harvest_run":        {FR: "moissonnage %s introuvable", EN: "harvest run %s not found"},
		"store.link_run":           {FR: "vérification de liens n° %s introuvable", EN: "link run %s not found"},
		"store.score_run":          {FR: "évaluation n° %s introuvable", EN: "score run %s not found"},
		"store.no_score_run":       {FR: "aucune évaluation terminée pour ce portail", EN: "no complete score run yet"},
		"store.no_score_run.in":    {FR: "aucune évaluation terminée dans %s", EN: "no complete score run in %s"},
		"store.one_score_run":      {FR: "une seule évaluation (n° %s), rien à comparer", EN: "only one score run (#%s), nothing to compare"},
		"store.no_previous":        {FR: "aucune évaluation terminée avec le profil %s avant la n° %s", EN: "no complete score run with profile %s before #%s"},
		"store.both_previous":      {FR: "--from et --to ne peuvent pas être tous deux previous : donnez l'un des deux comme latest, un numéro d'évaluation ou une date", EN: "--from and --to cannot both be previous: give one of them as latest, a run id or a date"},
		"store.same_run":           {FR: "--from et --to désignent tous deux l'évaluation n° %s : choisissez deux évaluations différentes", EN: "--from and --to both name score run #%s: pick two different runs"},
		"store.swapped":            {FR: "--from (évaluation n° %s) est plus récent que --to (évaluation n° %s) : inversez-les", EN: "--from (score run #%s) is newer than --to (score run #%s): swap them"},
		"store.no_next":            {FR: "aucune évaluation terminée après la n° %s : utilisez --to latest", EN: "no complete score run after #%s: use --to latest"},
		"store.no_run_id":          {FR: "%s %s : aucune évaluation terminée de ce numéro pour ce portail : choisissez parmi %s", EN: "%s %s: no complete score run with that id for this portal: pick one of %s"},
		"store.no_run_day":         {FR: "%s %s : aucune évaluation terminée ce jour-là ou avant (la première s'est terminée le %s)", EN: "%s %s: no score run finished on or before that day (the first finished %s)"},
		"store.flag_ref":           {FR: "%s : %s", EN: "%s: %s"},
		"store.unknown_ref":        {FR: "%s : référence inconnue « %s »", EN: "%s: unknown reference %q"},
		"store.bad_date":           {FR: "« %s » n'est pas une date valide : utilisez AAAA-MM-JJ", EN: "%q is not a valid date: use YYYY-MM-DD"},
		"store.bad_ref":            {FR: "« %s » n'est pas une évaluation : utilisez latest, previous, un numéro d'évaluation ou une date AAAA-MM-JJ", EN: "%q is not a score run: use latest, previous, a score run id or a date YYYY-MM-DD"},
		"store.not_scored_in":      {FR: "le jeu %s n'a pas été évalué dans l'évaluation n° %s", EN: "dataset %s was not scored in score run %s"},
		"store.not_scored":         {FR: "le jeu %s n'a pas encore été évalué", EN: "dataset %s has not been scored"},
		"store.no_dataset":         {FR: "le jeu « %s » n'est pas dans la base pour ce portail", EN: "dataset %q is not in the database for this portal"},
		"store.damaged_dataset":    {FR: "jeu %s : %s", EN: "dataset %s: %s"},
		"store.org_no_dataset":     {FR: "l'organisation « %s » n'a aucun jeu dans ce portail", EN: "organization %q has no dataset in this portal"},
		"store.findings_damaged":   {FR: "les constats du jeu %s dans l'évaluation n° %s sont endommagés", EN: "the findings of dataset %s in score run %s are damaged"},
		"store.older":              {FR: "la base de données %s a été écrite par un vigie plus ancien (schéma %s pas encore appliqué)", EN: "database %s was written by an older vigie (schema %s not applied yet)"},
		"store.older.reason":       {FR: "%s et ne peut pas être mise à jour maintenant : %s", EN: "%s and cannot be updated now: %s"},
		"store.keep":               {FR: "--keep %s : gardez au moins 1 passe", EN: "--keep %s: keep at least 1 run"},
		"store.prune_full":         {FR: "base de données %s : le disque est trop plein même pour élaguer par petites étapes (%s)", EN: "database %s: the disk is too full even to prune in small steps (%s)"},
	})
}

// storeErr is a store error of kind about the database at path: the
// catalogue sentence id with args.
func storeErr(kind vigie.ErrorKind, path, id string, args ...any) *vigie.Error {
	e := vigie.NewError(kind, id, args...)
	e.Path = path
	return e
}

// notFound is a not-found error of kind (not harvested, not scored,
// nothing to compare…) that wraps ErrNotFound.
func notFound(kind vigie.ErrorKind, id string, args ...any) *vigie.Error {
	e := vigie.NewError(kind, id, args...)
	e.Err = ErrNotFound
	return e
}

// badRef is a bad score run reference (--from, --to, --compare): a usage
// mistake in every command. It wraps ErrBadRunRef.
func badRef(id string, args ...any) error {
	e := vigie.NewError(vigie.KindUsage, id, args...)
	e.Err = ErrBadRunRef
	return e
}
