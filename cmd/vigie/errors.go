package main

import (
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/store"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// kindRule is what the command line does with an error of one kind: its
// exit code and the hint that says what to do, from the values the error
// carries (nil: the message says it all).
type kindRule struct {
	exit int
	hint func(lang string, e *vigie.Error) string
}

// kinds is the one table from a library error's kind to its exit code and
// hint. The libraries never name commands, flags or exit codes; usage
// errors are known by their kind, never by their text. A kind not listed
// exits with ExitFailure and no hint.
var kinds = map[vigie.ErrorKind]kindRule{
	vigie.KindUsage:     {exit: ExitUsage},
	vigie.KindBadPortal: {ExitUsage, fixed("hint.bad_portal")},
	vigie.KindUnknownOrg: {ExitUsage, func(lang string, e *vigie.Error) string {
		if len(e.Near) > 0 {
			return l10n.T(lang, "hint.unknown_org.near", strings.Join(e.Near, ", "))
		}
		return l10n.T(lang, "hint.unknown_org")
	}},
	vigie.KindNotFound:  {ExitFailure, fixed("hint.not_found")},
	vigie.KindNotScored: {ExitFailure, fixed("hint.not_scored")},
	vigie.KindInUse:     {ExitFailure, fixed("hint.in_use")},
	vigie.KindNoDatabase: {ExitFailure, func(lang string, e *vigie.Error) string {
		return l10n.T(lang, "hint.no_database")
	}},
	vigie.KindNotHarvested: {ExitFailure, func(lang string, e *vigie.Error) string {
		portal := e.Portal
		if portal == "" {
			return l10n.T(lang, "hint.not_harvested.none")
		}
		switch len(e.Near) {
		case 0:
			return l10n.T(lang, "hint.not_harvested", portal)
		case 1:
			return l10n.T(lang, "hint.not_harvested.one", e.Near[0], portal)
		}
		return l10n.T(lang, "hint.not_harvested.many", portal)
	}},
	vigie.KindBadDatabase:      {ExitFailure, fixed("hint.bad_database")},
	vigie.KindCorrupted:        {ExitFailure, fixed("hint.corrupted")},
	vigie.KindNewerDatabase:    {ExitFailure, fixed("hint.newer_database")},
	vigie.KindReadOnly:         {ExitFailure, fixed("hint.read_only")},
	vigie.KindDiskFull:         {ExitFailure, fixed("hint.disk_full")},
	vigie.KindUnreachable:      {ExitFailure, fixed("hint.unreachable")},
	vigie.KindNotCKAN:          {ExitFailure, fixed("hint.not_ckan")},
	vigie.KindPortalRefused:    {ExitFailure, fixed("hint.portal_refused")},
	vigie.KindNothingToCompare: {ExitFailure, fixed("hint.nothing_to_compare")},
	vigie.KindNoFolder:         {ExitFailure, fixed("hint.no_folder")},
	vigie.KindTooManyMissing:   {ExitFailure, fixed("hint.too_many_missing")},
	vigie.KindTooLarge:         {ExitFailure, fixed("hint.too_large")},
	vigie.KindOlderDatabase:    {ExitFailure, fixed("hint.older_database")},
	vigie.KindUnknownSetting:   {ExitUsage, fixed("hint.unknown_setting")},
	vigie.KindDamagedData:      {ExitFailure, fixed("hint.damaged_data")},
	// The database server's troubles (PostgreSQL): what the library saw,
	// what to do here.
	vigie.KindServerDown:         {ExitFailure, fixed("hint.server_down")},
	vigie.KindNoServerDatabase:   {ExitFailure, fixed("hint.no_server_database")},
	vigie.KindLoginRefused:       {ExitFailure, fixed("hint.login_refused")},
	vigie.KindDenied:             {ExitFailure, fixed("hint.denied")},
	vigie.KindServerFull:         {ExitFailure, fixed("hint.server_full")},
	vigie.KindTooManyConnections: {ExitFailure, fixed("hint.too_many_connections")},
	vigie.KindConflict:           {ExitFailure, fixed("hint.conflict")},
	vigie.KindNoSchema:           {ExitFailure, fixed("hint.no_schema")},
	vigie.KindBadDatabaseURL:     {ExitUsage, fixed("hint.bad_database_url")},
	vigie.KindReplica:            {ExitFailure, fixed("hint.replica")},
	vigie.KindForeignDatabase: {ExitFailure, func(lang string, e *vigie.Error) string {
		if store.IsPostgres(e.Path) {
			return l10n.T(lang, "hint.foreign_database.postgres")
		}
		return l10n.T(lang, "hint.foreign_database")
	}},
}

func fixed(id string) func(string, *vigie.Error) string {
	return func(lang string, _ *vigie.Error) string { return l10n.T(lang, id) }
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"hint.bad_portal": {FR: "passez --portal https://hôte/chemin", EN: "pass --portal https://host/path"},
		"hint.unknown_org": {FR: "donnez le nom court d'une organisation, comme dans son adresse (/organization/NOM) ; « vigie orgs » les liste",
			EN: "give an organization's short name, as in its URL (/organization/NAME); 'vigie orgs' lists them"},
		"hint.unknown_org.near": {FR: "vouliez-vous dire %s ? (« vigie orgs » les liste toutes)",
			EN: "did you mean %s? ('vigie orgs' lists them all)"},
		"hint.not_found": {FR: "vérifiez le nom avec « vigie datasets », ou lancez « vigie harvest »",
			EN: "check the name with 'vigie datasets', or run 'vigie harvest'"},
		"hint.not_scored": {FR: "lancez d'abord « vigie score » (ou « vigie audit »)",
			EN: "run 'vigie score' (or 'vigie audit') first"},
		"hint.in_use": {FR: "attendez qu'il termine, puis relancez", EN: "wait for it to finish and try again"},
		"hint.no_database": {FR: "lancez d'abord « vigie harvest », ou passez le bon --db",
			EN: "run 'vigie harvest' first, or pass the right --db"},
		"hint.not_harvested": {FR: "lancez d'abord « vigie harvest --portal %s »",
			EN: "run 'vigie harvest --portal %s' first"},
		"hint.not_harvested.one": {FR: "passez --portal %s (ou VIGIE_PORTAL), ou lancez « vigie harvest --portal %s »",
			EN: "pass --portal %s (or VIGIE_PORTAL), or run 'vigie harvest --portal %s'"},
		"hint.not_harvested.many": {FR: "passez l'un d'eux avec --portal (voir « vigie portals »), ou lancez « vigie harvest --portal %s »",
			EN: "pass one of them with --portal (see 'vigie portals'), or run 'vigie harvest --portal %s'"},
		"hint.not_harvested.none": {FR: "lancez d'abord « vigie harvest »", EN: "run 'vigie harvest' first"},
		"hint.bad_database":       {FR: "mettez-la de côté, ou passez un autre --db", EN: "move it aside, or pass another --db"},
		"hint.corrupted": {FR: "restaurez-la d'une sauvegarde, ou mettez-la de côté et moissonnez à nouveau",
			EN: "restore it from a backup, or move it aside and harvest again"},
		"hint.foreign_database": {FR: "donnez à vigie un fichier à lui : passez un autre --db", EN: "give vigie a file of its own: pass another --db"},
		"hint.foreign_database.postgres": {FR: "donnez à vigie sa propre base avec --db, ou son propre schéma avec ?search_path=vigie dans l'adresse",
			EN: "give vigie its own database with --db, or its own schema with ?search_path=vigie in the URL"},
		"hint.bad_database_url": {FR: "écrivez --db (ou VIGIE_DB) sous la forme postgres://UTILISATEUR@HÔTE:PORT/BASE",
			EN: "write --db (or VIGIE_DB) as postgres://USER@HOST:PORT/DATABASE"},
		"hint.replica": {FR: "connectez-vous au serveur principal, pas à une réplique en lecture seule (--db ou VIGIE_DB)",
			EN: "connect to the primary server, not a read-only replica (--db or VIGIE_DB)"},
		"hint.newer_database": {FR: "mettez vigie à jour, ou passez un autre --db", EN: "upgrade vigie, or pass another --db"},
		"hint.read_only": {FR: "vérifiez ses droits et ceux de son dossier, ou passez un autre --db",
			EN: "check its permissions and those of its folder, or pass another --db"},
		"hint.disk_full": {FR: "libérez de la place (« vigie prune » fonctionne sur un disque plein) et relancez la commande",
			EN: "free space ('vigie prune' works on a full disk) and run the command again"},
		"hint.unreachable": {FR: "vérifiez --portal et le réseau, ou réessayez plus tard (--timeout pour un portail lent)",
			EN: "check --portal and the network, or retry later (--timeout for a slow portal)"},
		"hint.portal_refused": {FR: "vérifiez le jeton d'API (VIGIE_API_TOKEN ou --token-file) : qu'il soit valide et que son utilisateur puisse voir ces jeux ; sans jeton, ce portail n'est peut-être pas public",
			EN: "check the API token (VIGIE_API_TOKEN or --token-file): that it is valid and its user may see these datasets; without a token, this portal may not be public"},
		"hint.not_ckan": {FR: "vérifiez --portal : ce doit être la racine du site CKAN",
			EN: "check --portal: it must be the CKAN site root"},
		"hint.nothing_to_compare": {FR: "relancez « vigie audit » un autre jour pour comparer, ou passez --from",
			EN: "run 'vigie audit' again another day to compare, or pass --from"},
		"hint.too_large": {FR: "baissez --rows, ou relevez --max-response", EN: "lower --rows, or raise --max-response"},
		"hint.older_database": {FR: "lancez une fois « " + store.MigrateCommand + " », en tant qu'utilisateur qui peut l'écrire et pendant qu'aucun autre vigie ne l'écrit, pour la mettre à jour",
			EN: "run '" + store.MigrateCommand + "' once, as a user who can write it and while no other vigie writes it, to bring it up to date"},
		"hint.unknown_setting": {FR: "voir « vigie config show --example » pour les réglages", EN: "see 'vigie config show --example' for the settings"},
		"hint.damaged_data":    {FR: "lancez « vigie check »", EN: "run 'vigie check'"},
		"hint.server_down": {FR: "vérifiez que le serveur PostgreSQL tourne et que l'hôte, le port et l'utilisateur de --db (ou VIGIE_DB) sont les bons",
			EN: "check that the PostgreSQL server runs and that the host, port and user of --db (or VIGIE_DB) are right"},
		"hint.no_server_database": {FR: "créez-la (createdb, ou CREATE DATABASE), ou passez un autre --db", EN: "create it (createdb, or CREATE DATABASE), or pass another --db"},
		"hint.login_refused":      {FR: "vérifiez l'utilisateur et son mot de passe (PGPASSWORD ou ~/.pgpass)", EN: "check the user and its password (PGPASSWORD or ~/.pgpass)"},
		"hint.denied":             {FR: "donnez au rôle de vigie les droits que liste le README", EN: "grant the role vigie connects as the rights the README lists"},
		"hint.server_full":        {FR: "libérez de l'espace sur le serveur et relancez la commande", EN: "free space on the server and run the command again"},
		"hint.too_many_connections": {FR: "lancez moins de vigie à la fois (--parallel, workers) ou augmentez max_connections",
			EN: "run fewer vigie processes at once (--parallel, workers) or raise max_connections"},
		"hint.conflict":             {FR: "relancez la commande", EN: "run the command again"},
		"hint.no_schema":            {FR: "créez-le (CREATE SCHEMA) ou corrigez search_path dans --db", EN: "create it (CREATE SCHEMA) or fix search_path in --db"},
		"log.score.links_unchecked": {FR: "les liens n'ont jamais été vérifiés : la disponibilité sera inconnue", EN: "links were never checked: availability will be unknown"},
		"hint.links_unchecked":      {FR: "lancez d'abord « vigie links » pour l'inclure", EN: "run 'vigie links' first to include it"},
		"hint.stale_scores":         {FR: "lancez « vigie score », puis refaites le rapport", EN: "run 'vigie score', then make the report again"},
		"hint.no_folder":            {FR: "créez-le, ou passez un autre --db", EN: "create it, or pass another --db"},
		"hint.too_many_missing": {FR: "réessayez plus tard, ou relevez --max-missing s'ils ont vraiment disparu (pour un fichier qui est tout le catalogue : 100\u202f%)",
			EN: "retry later, or raise --max-missing if they are really gone (for a file that is the whole catalogue: 100%)"},

		"harvest.failed":     {FR: "moissonnage de %s : %s", EN: "harvest %s: %s"},
		"flag.unknown":       {FR: "option inconnue : %s (voir « %s --help »)", EN: "unknown flag: %s (see '%s --help')"},
		"flag.needs":         {FR: "l'option %s attend une valeur (voir « %s --help »)", EN: "flag %s needs a value (see '%s --help')"},
		"flag.invalid":       {FR: "valeur « %s » invalide pour %s : %s (voir « %s --help »)", EN: "invalid value \"%s\" for %s: %s (see '%s --help')"},
		"flag.syntax":        {FR: "option mal écrite : %s (voir « %s --help »)", EN: "bad flag syntax: %s (see '%s --help')"},
		"flag.other":         {FR: "%s (voir « %s --help »)", EN: "%s (see '%s --help')"},
		"flag.want.int":      {FR: "un nombre entier est attendu", EN: "a whole number is expected"},
		"flag.want.number":   {FR: "un nombre est attendu", EN: "a number is expected"},
		"flag.want.duration": {FR: "une durée est attendue, comme 30s, 5m ou 168h", EN: "a duration is expected, like 30s, 5m or 168h"},
		"flag.want.bool":     {FR: "true ou false est attendu", EN: "true or false is expected"},
		"command.unknown":    {FR: "commande inconnue « %s » : voir « vigie --help »", EN: "unknown command \"%s\": see 'vigie --help'"},
	})
}

// kindOf is the rule for err's kind.
func kindOf(err error) (kindRule, bool) {
	r, ok := kinds[vigie.KindOf(err)]
	return r, ok
}

// errorText is err as the reader sees it: its sentence in lang, then the
// hint of its kind, unless the sentence already holds it.
func errorText(lang string, err error) string {
	msg := l10n.Error(lang, err)
	r, ok := kindOf(err)
	if !ok || r.hint == nil {
		return msg
	}
	e := vigie.Details(err)
	if e == nil {
		e = &vigie.Error{Kind: vigie.KindOf(err)}
	}
	hint := r.hint(lang, e)
	if hint == "" || strings.Contains(msg, hint) {
		return msg
	}
	sep := ": "
	if l10n.Lang(lang) == "fr" {
		sep = " : "
	}
	return msg + sep + hint
}

// flagError is pflag's error about a flag of cmdPath, in lang.
func flagError(lang, cmdPath string, err error) error {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &notExist):
		name := "--" + notExist.GetSpecifiedName()
		if notExist.GetSpecifiedShortnames() != "" {
			name = "-" + notExist.GetSpecifiedName()
		}
		return vigie.NewError(vigie.KindUsage, "flag.unknown", name, cmdPath)
	case errors.As(err, &required):
		return vigie.NewError(vigie.KindUsage, "flag.needs", "--"+required.GetFlag().Name, cmdPath)
	case errors.As(err, &invalid):
		name := "--" + invalid.GetFlag().Name
		if want, ok := flagTypes[invalid.GetFlag().Value.Type()]; ok {
			return vigie.NewError(vigie.KindUsage, "flag.invalid", oneLine(invalid.GetValue(), 80), name, vigie.NewError(vigie.KindUsage, want), cmdPath)
		}
		if cause := errors.Unwrap(invalid); l10n.Sentence(cause) { // a flag type's own sentence (percent…)
			return vigie.NewError(vigie.KindUsage, "flag.invalid", oneLine(invalid.GetValue(), 80), name, cause, cmdPath)
		}
		return vigie.NewError(vigie.KindUsage, "flag.invalid", oneLine(invalid.GetValue(), 80), name, oneLine(fmt.Sprint(errors.Unwrap(invalid)), 200), cmdPath)
	case errors.As(err, &syntax):
		return vigie.NewError(vigie.KindUsage, "flag.syntax", syntax.GetSpecifiedFlag(), cmdPath)
	}
	return vigie.NewError(vigie.KindUsage, "flag.other", err.Error(), cmdPath)
}

// flagTypes says what a flag of each pflag type wants, instead of the
// parser's own words ("strconv.ParseInt: parsing "x": invalid syntax").
var flagTypes = map[string]string{
	"int": "flag.want.int", "int64": "flag.want.int", "uint": "flag.want.int", "float64": "flag.want.number",
	"duration": "flag.want.duration", "bool": "flag.want.bool",
}

// pathCause is a file error without the path the sentence names already
// ("permission denied"), rendered in the reader's language.
func pathCause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
