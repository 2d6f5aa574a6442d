package main

import "github.com/vigie-audit/vigie/internal/l10n"

// The messages vigie's commands print, in French and English. Numbers are
// formatted before (l10n.Int, l10n.Float): every verb here is %s.
func init() {
	l10n.Add(map[string]l10n.Msg{
		"harvest.summary": {
			FR: "moissonnage %s : %s : %s, %s, %s, %s, %s ; %s%s ; %s ; %s",
			EN: "harvest %s: %s: %s, %s, %s, %s, %s; %s%s; %s; %s"},
		"harvest.licences":  {FR: " ; %s au registre du portail", EN: "; %s in the portal's register"},
		"harvest.published": {FR: " ; %s, %s (%s, %s, %s)", EN: "; %s, %s (%s, %s, %s)"},
		"mode.full":         {FR: "complet", EN: "full"},
		"mode.incremental":  {FR: "incrémental", EN: "incremental"},
		"mode.import":       {FR: "par importation", EN: "import"},
		"reason.full_flag":  {FR: "--full", EN: "--full"},
		"reason.first_full": {FR: "aucune passe complète terminée", EN: "no complete full pass yet"},
		"reason.full_age":   {FR: "dernière passe complète il y a %s jours", EN: "last full pass %s days ago"},
		"reason.since_run":  {FR: "changements depuis la passe %s", EN: "changes since run %s"},
		"reason.drift":      {FR: "les totaux divergent : %s au portail, %s en base", EN: "counts drift: portal %s, store %s"},
		"reason.from":       {FR: "--from %s", EN: "--from %s"},

		"score.scored":      {FR: "%s avec le profil %s", EN: "%s with profile %s"},
		"score.interrupted": {FR: "interrompu après avoir évalué %s avec le profil %s", EN: "interrupted after scoring %s with profile %s"},
		"score.mean":        {FR: " : score global moyen %s", EN: ": mean overall %s"},
		"score.mean.none":   {FR: " : score global moyen inconnu", EN: ": mean overall unknown"},
		"score.mqa": {FR: " ; MQA excellente %s, bonne %s, suffisante %s, insuffisante %s",
			EN: "; MQA excellent %s, good %s, sufficient %s, bad %s"},
		"score.fresh": {FR: " ; fraîcheur : frais %s, à échéance %s, en retard %s, très en retard %s, sans objet %s, inconnu %s",
			EN: "; freshness fresh %s, due %s, overdue %s, delinquent %s, not applicable %s, unknown %s"},
		"score.tau": {FR: " ; frais (tau) %s de %s", EN: "; fresh (tau) %s of %s"},
		"score.run": {FR: " (évaluation %s)", EN: " (score run %s)"},

		"audit.written": {FR: "audit écrit dans %s : évaluation n° %s, score global moyen %s, %s (%s, %s), %s ; %s",
			EN: "audit written to %s: score run #%s, mean overall %s, %s (%s, %s), %s; %s"},
		"audit.first":       {FR: "premier audit, rien à comparer", EN: "first audit, nothing to compare"},
		"audit.changes":     {FR: "%s depuis l'évaluation n° %s", EN: "%s since score run #%s"},
		"audit.gate.passed": {FR: "seuil atteint", EN: "gate passed"},
		"audit.gate.failed": {FR: "seuil non atteint", EN: "gate failed"},
		"audit.gate.none":   {FR: "aucun seuil", EN: "no gate"},
		"portals.none": {FR: "aucun portail dans %s pour l'instant : lancez « vigie harvest » ou « vigie audit »",
			EN: "no portal in %s yet: run 'vigie harvest' or 'vigie audit'"},
		"portals.gate.passed": {FR: "atteint", EN: "passed"},
		"portals.gate.failed": {FR: "non atteint", EN: "failed"},
		"portals.gate.none":   {FR: "aucun", EN: "none"},
		"config.show.no_file": {FR: "(aucun : %s)", EN: "(none: %s)"},
		"table.profile":       {FR: "profil", EN: "profile"},
		"table.description":   {FR: "description", EN: "description"},
		"links.list.none": {FR: "aucun lien vérifié ne correspond : lancez d'abord « vigie links », ou élargissez --org/--class",
			EN: "no checked links match: run 'vigie links' first, or widen --org/--class"},
		"portals.score_run":      {FR: "n° %s, %s", EN: "#%s %s"},
		"log.all.portal_failed":  {FR: "échec de l'audit du portail", EN: "portal audit failed"},
		"log.all.portal_in_use":  {FR: "portail laissé de côté : un autre processus l'écrit", EN: "portal skipped: another process is writing it"},
		"audit.gate.error":       {FR: "seuil de qualité non atteint : %s", EN: "quality gate failed: %s"},
		"log.audit.stage.done":   {FR: "étape d'audit terminée", EN: "audit stage done"},
		"log.audit.stage.failed": {FR: "étape d'audit en échec", EN: "audit stage failed"},
		"log.audit.metrics":      {FR: "impossible d'écrire le fichier de métriques", EN: "could not write the metrics file"},
		"log.audit.gate.skipped": {FR: "conditions du seuil ignorées : elles comparent avec un audit précédent du même profil", EN: "gate conditions skipped: they compare with a previous audit of the same profile"},
		"log.audit.record":       {FR: "impossible d'enregistrer l'audit", EN: "could not record the audit"},
		"log.audit.several":      {FR: "audit de plusieurs portails", EN: "auditing several portals"},
		"run.running":            {FR: "en cours", EN: "running"},
		"run.complete":           {FR: "terminée", EN: "complete"},
		"run.failed":             {FR: "en échec", EN: "failed"},
		"run.interrupted":        {FR: "interrompue", EN: "interrupted"},
		"table.yes":              {FR: "oui", EN: "yes"},
		"table.portal":           {FR: "portail", EN: "portal"},
		"table.rank":             {FR: "rang", EN: "rank"},
		"table.name":             {FR: "nom", EN: "name"},
		"table.title":            {FR: "titre", EN: "title"},
		"table.datasets":         {FR: "jeux", EN: "datasets"},
		"table.overall":          {FR: "global", EN: "overall"},
		"table.completeness":     {FR: "complétude", EN: "completeness"},
		"table.freshness":        {FR: "fraîcheur", EN: "freshness"},
		"table.openness":         {FR: "ouverture", EN: "openness"},
		"table.availability":     {FR: "disponibilité", EN: "availability"},
		"table.mqa":              {FR: "mqa", EN: "mqa"},
		"table.errors":           {FR: "erreurs", EN: "errors"},
		"table.broken links":     {FR: "liens brisés", EN: "broken links"},
		"table.url":              {FR: "url", EN: "url"},
		"table.ckan":             {FR: "ckan", EN: "ckan"},
		"table.published":        {FR: "publiés", EN: "published"},
		"table.private":          {FR: "privés", EN: "private"},
		"table.missing":          {FR: "disparus", EN: "missing"},
		"table.last harvest":     {FR: "dernier moissonnage", EN: "last harvest"},
		"table.harvest status":   {FR: "état du moissonnage", EN: "harvest status"},
		"table.last score run":   {FR: "dernière évaluation", EN: "last score run"},
		"table.last audit":       {FR: "dernier audit", EN: "last audit"},
		"table.audit status":     {FR: "état de l'audit", EN: "audit status"},
		"table.gate":             {FR: "seuil", EN: "gate"},
		"table.run":              {FR: "passe", EN: "run"},
		"table.started (UTC)":    {FR: "début (UTC)", EN: "started (UTC)"},
		"table.took":             {FR: "durée", EN: "took"},
		"table.mode":             {FR: "mode", EN: "mode"},
		"table.status":           {FR: "état", EN: "status"},
		"table.complete listing": {FR: "liste complète", EN: "complete listing"},
		"table.count":            {FR: "total", EN: "count"},
		"table.new":              {FR: "nouveaux", EN: "new"},
		"table.changed":          {FR: "modifiés", EN: "changed"},
		"table.unchanged":        {FR: "inchangés", EN: "unchanged"},
		"table.deleted":          {FR: "supprimés", EN: "deleted"},
		"table.requests":         {FR: "requêtes", EN: "requests"},
		"table.vigie":            {FR: "vigie", EN: "vigie"},
		"table.error":            {FR: "erreur", EN: "error"},
		"table.class":            {FR: "état", EN: "class"},
		"table.http":             {FR: "http", EN: "status"},
		"table.fails":            {FR: "échecs", EN: "fails"},
		"table.since":            {FR: "en échec depuis", EN: "since"},
		"table.reason":           {FR: "raison", EN: "reason"},
		"interrupted": {FR: "interrompu : ce qui était terminé est enregistré, le reste non ; relancez la même commande pour terminer",
			EN: "interrupted: what was finished is saved, the rest is not; run the same command again to complete it"},
	})
}

// tableHeader titles a table's columns in lang from their stable names
// (catalogue ids "table.<name>"); CSV output keeps the names themselves.
func tableHeader(lang string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = l10n.T(lang, "table."+n)
	}
	return out
}

// datasetHeaders are the datasets table's column titles by language; the
// CSV keeps the stable machine names.
var datasetHeadersFR = map[string]string{
	"name": "nom", "title": "titre", "organization": "organisation", "modified": "modifié", "resources": "ressources",
	"state": "état", "visibility": "visibilité", "score": "score", "freshness": "fraîcheur",
}

// stateFR names vigie's dataset states and CKAN's visibilities in French.
var stateFR = map[string]string{"active": "actif", "missing": "disparu", "deleted": "supprimé", "public": "public",
	"private": "privé", "draft": "brouillon"}
