package main

import "github.com/vigie-audit/vigie/internal/l10n"

// Count messages: "singular|plural", rendered by l10n.N, which takes the
// singular for 0 and 1 in French ("0 jeu", "1 nouveau") and for 1 only in
// English ("0 datasets", "1 dataset"). Every count vigie prints in a
// sentence goes through one of them.
var countIDs = []string{
	"n.datasets", "n.datasets.long", "n.datasets.scored", "n.datasets.scheduled", "n.new", "n.changed", "n.unchanged",
	"n.missing", "n.deleted", "n.organizations", "n.requests", "n.licences", "n.published", "n.unpublished",
	"n.private", "n.draft", "n.links.not_working", "n.broken", "n.failing", "n.changes", "n.urls", "n.urls.checked",
	"n.checked", "n.hosts", "n.ok", "n.not_working", "n.unsure", "n.skipped", "n.invalid", "n.blocked", "n.landing", "n.messages", "n.messages.sent", "n.no_address", "n.would_send", "n.runs.kept", "n.portals.audited", "n.all.ok", "n.all.gate_failed", "n.all.failed", "n.all.in_use", "n.all.interrupted",
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"n.datasets":             {FR: "%s jeu|%s jeux", EN: "%s dataset|%s datasets"},
		"n.datasets.long":        {FR: "%s jeu de données|%s jeux de données", EN: "%s dataset|%s datasets"},
		"n.datasets.scored":      {FR: "%s jeu évalué|%s jeux évalués", EN: "scored %s dataset|scored %s datasets"},
		"n.datasets.scheduled":   {FR: "%s jeu planifié|%s jeux planifiés", EN: "%s scheduled|%s scheduled"},
		"n.new":                  {FR: "%s nouveau|%s nouveaux", EN: "%s new|%s new"},
		"n.changed":              {FR: "%s modifié|%s modifiés", EN: "%s changed|%s changed"},
		"n.unchanged":            {FR: "%s inchangé|%s inchangés", EN: "%s unchanged|%s unchanged"},
		"n.missing":              {FR: "%s disparu|%s disparus", EN: "%s missing|%s missing"},
		"n.deleted":              {FR: "%s supprimé|%s supprimés", EN: "%s deleted|%s deleted"},
		"n.organizations":        {FR: "%s organisation|%s organisations", EN: "%s organization|%s organizations"},
		"n.requests":             {FR: "%s requête|%s requêtes", EN: "%s request|%s requests"},
		"n.licences":             {FR: "%s licence|%s licences", EN: "%s licence|%s licences"},
		"n.published":            {FR: "%s publié|%s publiés", EN: "%s published|%s published"},
		"n.unpublished":          {FR: "%s non publié|%s non publiés", EN: "%s not|%s not"},
		"n.private":              {FR: "%s privé|%s privés", EN: "%s private|%s private"},
		"n.draft":                {FR: "%s brouillon|%s brouillons", EN: "%s draft|%s draft"},
		"n.links.not_working":    {FR: "%s lien qui ne fonctionne pas|%s liens qui ne fonctionnent pas", EN: "%s link not working|%s links not working"},
		"n.broken":               {FR: "%s brisé|%s brisés", EN: "%s broken|%s broken"},
		"n.failing":              {FR: "%s en échec|%s en échec", EN: "%s failing|%s failing"},
		"n.changes":              {FR: "%s changement|%s changements", EN: "%s change|%s changes"},
		"n.urls":                 {FR: "%s URL|%s URL", EN: "%s URL|%s URLs"},
		"n.urls.checked":         {FR: "%s URL vérifiée|%s URL vérifiées", EN: "checked %s URL|checked %s URLs"},
		"n.checked":              {FR: "%s vérifiée|%s vérifiées", EN: "checked %s|checked %s"},
		"n.hosts":                {FR: "%s hôte|%s hôtes", EN: "%s host|%s hosts"},
		"n.ok":                   {FR: "%s fonctionne|%s fonctionnent", EN: "%s ok|%s ok"},
		"n.not_working":          {FR: "%s ne fonctionne pas|%s ne fonctionnent pas", EN: "%s not working|%s not working"},
		"n.unsure":               {FR: "%s incertaine|%s incertaines", EN: "%s unsure|%s unsure"},
		"n.skipped":              {FR: "%s sautée|%s sautées", EN: "%s skipped|%s skipped"},
		"n.invalid":              {FR: "%s invalide|%s invalides", EN: "%s invalid|%s invalid"},
		"n.blocked":              {FR: "%s bloquée|%s bloquées", EN: "%s blocked|%s blocked"},
		"n.messages":             {FR: "%s message|%s messages", EN: "%s message|%s messages"},
		"n.portals.audited":      {FR: "%s portail audité|%s portails audités", EN: "%s portal audited|%s portals audited"},
		"n.all.ok":               {FR: "%s réussi|%s réussis", EN: "%s ok|%s ok"},
		"n.all.gate_failed":      {FR: "%s sous le seuil|%s sous le seuil", EN: "%s gate failed|%s gate failed"},
		"n.all.failed":           {FR: "%s en échec|%s en échec", EN: "%s failed|%s failed"},
		"n.all.in_use":           {FR: "%s occupé|%s occupés", EN: "%s in use|%s in use"},
		"n.all.interrupted":      {FR: "%s interrompu|%s interrompus", EN: "%s interrupted|%s interrupted"},
		"all.summary":            {FR: "%s : %s", EN: "%s: %s"},
		"all.failed":             {FR: "%s : voyez les lignes ci-dessus, corrigez et relancez ; les résultats des autres sont enregistrés", EN: "%s: see the lines above, fix and run again; the others' results are saved"},
		"all.stopped":            {FR: "arrêté avant la fin", EN: "stopped before the end"},
		"all.status.ok":          {FR: "réussi", EN: "ok"},
		"all.status.gate_failed": {FR: "sous le seuil", EN: "gate failed"},
		"all.status.failed":      {FR: "en échec", EN: "failed"},
		"all.status.in_use":      {FR: "occupé", EN: "in use"},
		"all.status.interrupted": {FR: "interrompu", EN: "interrupted"},
		"n.landing":              {FR: "%s page d'accueil là où des données étaient déclarées|%s pages d'accueil là où des données étaient déclarées", EN: "%s landing page where data was declared|%s landing pages where data was declared"},
		"n.many_redirects":       {FR: "%s atteinte après plus de %s redirections|%s atteintes après plus de %s redirections", EN: "%s reached after more than %s redirects|%s reached after more than %s redirects"},

		"links.summary":        {FR: "%s sur %s en %s : %s, %s (%s, %s), %s, %s, %s", EN: "%s on %s in %s: %s, %s (%s, %s), %s, %s, %s"},
		"links.interrupted":    {FR: "interrompu : %s sur %s", EN: "interrupted: %s of %s"},
		"links.skipped":        {FR: " (%s : hôte injoignable pendant cette exécution, réessayées à la prochaine)", EN: " (%s: host unreachable during this run, tried again next run)"},
		"links.run":            {FR: " [vérification n° %s]", EN: " [link run %s]"},
		"links.nothing.none":   {FR: "rien à vérifier : aucune URL de ressource n'est enregistrée pour %s : les moissonnages n'ont enregistré aucun jeu actif avec une URL de ressource", EN: "nothing to check: no resource URL is stored for %s: the harvests stored no active dataset with a resource URL"},
		"links.nothing.portal": {FR: "le portail %s", EN: "portal %s"},
		"links.nothing.orgs":   {FR: "--org %s", EN: "--org %s"},
		"links.nothing.recent": {FR: "rien à vérifier : chaque URL a été vérifiée il y a moins de %s", EN: "nothing to check: every URL was checked less than %s ago"},
		"links.nothing.all":    {FR: " (--all les vérifie quand même)", EN: " (--all checks them anyway)"},
	})
}
