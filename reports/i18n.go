package reports

import "github.com/vigie-audit/vigie"

// labels holds every word a report prints, in French and English.
var labels = map[string][2]string{
	// Titles and sections.
	"title":             {"Audit de la qualité des données ouvertes", "Open data quality audit"},
	"commitment":        {"Indicateurs de l'engagement « Démocratiser les données ouvertes »", "“Democratize open data” commitment indicators"},
	"summary":           {"Sommaire", "Summary"},
	"organizations":     {"Organisations", "Organizations"},
	"datasets":          {"Jeux de données", "Datasets"},
	"findings":          {"Constats", "Findings"},
	"links":             {"Liens", "Links"},
	"history":           {"Historique", "History"},
	"indicators":        {"Indicateurs", "Indicators"},
	"weakest_orgs":      {"Les 10 organisations les plus faibles", "The 10 weakest organizations"},
	"common_finds":      {"Constats les plus fréquents", "Most common findings"},
	"chart_ratings":     {"Cote MQA", "MQA rating"},
	"chart_fresh":       {"Fraîcheur", "Freshness"},
	"chart_stars":       {"Étoiles d'ouverture", "Openness stars"},
	"chart_orgs":        {"Organisations classées (score global moyen)", "Organizations ranked (mean overall score)"},
	"portal":            {"Portail", "Portal"},
	"generated_at":      {"Produit le", "Generated at"},
	"harvest_run":       {"Moissonnage", "Harvest run"},
	"stale_warning":     {"Attention", "Warning"},
	"score_run":         {"Évaluation", "Score run"},
	"compare_run":       {"Comparé à l'évaluation", "Compared with score run"},
	"profile":           {"Profil", "Profile"},
	"rules_hash":        {"règles", "rules"},
	"made_with":         {"Version de vigie", "vigie version"},
	"scope":             {"Périmètre", "Scope"},
	"all_orgs":          {"toutes les organisations", "all organizations"},
	"none":              {"aucune", "none"},
	"no_links":          {"Aucun lien en échec, aucune page web à la place des données, aucune longue chaîne de redirections.", "No failing link, no web page in place of data, no long redirect chain."},
	"landing_page":      {"page web", "landing page"},
	"landing_redirects": {"Pages web à la place des données et longues chaînes de redirections", "Web pages in place of data and long redirect chains"},
	"more_in":           {"… et %d autres : voir xlsx, csv ou json.", "… and %d more: see xlsx, csv or json."},
	"col_landing":       {"Page web au lieu des données", "Landing page"},
	"col_redirects":     {"Redirections", "Redirects"},
	"col_final_url":     {"Adresse finale", "Final address"},
	"no_findings":       {"Aucun constat.", "No finding."},
	"no_history":        {"Une seule évaluation pour l'instant.", "Only one score run so far."},
	"filter":            {"Filtrer", "Filter"},
	"filter_ph":         {"Rechercher un titre, un nom, une organisation…", "Search a title, a name, an organization…"},
	"rows":              {"lignes", "rows"},
	"prev":              {"Précédent", "Previous"},
	"next":              {"Suivant", "Next"},
	"page":              {"Page", "Page"},
	"show_findings":     {"Voir les constats", "Show findings"},
	"all":               {"Toutes", "All"},
	"offline_note":      {"Rapport autonome : il fonctionne hors ligne et ne charge aucune ressource externe.", "Self-contained report: it works offline and loads nothing from outside."},
	"scores_legend":     {"Scores de 0 à 100 ; vide quand inconnu.", "Scores from 0 to 100; empty when unknown."},
	"tau_note":          {"tau = jeux frais / jeux dont la fréquence est planifiée", "tau = fresh datasets / datasets with a scheduled frequency"},
	"up_to_date_note":   {"frais ou à échéance (définition « à jour » de HDX) / jeux planifiés", "fresh or due (HDX's “up to date”) / scheduled datasets"},
	"links_note":        {"liens qui fonctionnent / liens vérifiés (un lien en échec, même non confirmé rompu, ne fonctionne pas ; les liens incertains et jamais vérifiés sont exclus)", "working links / checked links (a failing link, even not yet confirmed broken, does not work; unsure and never-checked links are left out)"},
	"value":             {"Valeur", "Value"},
	"previous":          {"Précédent", "Previous"},
	"change":            {"Variation", "Change"},
	"baseline":          {"Référence", "Baseline"},
	"indicator":         {"Indicateur", "Indicator"},
	"note":              {"Note", "Note"},
	"key":               {"Clé", "Key"},
	"unit":              {"Unité", "Unit"},
	"run":               {"Évaluation", "Run"},
	"date":              {"Date", "Date"},
	"datasets_using":    {"Jeux qui l'utilisent", "Datasets using it"},
	"count":             {"Nombre", "Count"},
	"rows_cut":          {"… %d lignes de plus : Excel n'en contient pas davantage, voyez le CSV ou le JSON", "… %d more rows: Excel holds no more, see the CSV or JSON"},
	"change_since":      {"depuis l'évaluation %d", "since run %d"},

	// Indicators.
	"ind_datasets":         {"Jeux de données publiés", "Datasets published"},
	"ind_organizations":    {"Organisations qui publient", "Publishing organizations"},
	"ind_open_licence":     {"Sous licence ouverte (%)", "Under an open licence (%)"},
	"ind_machine_readable": {"Avec une ressource lisible par machine (%)", "With a machine-readable resource (%)"},
	"ind_open_format":      {"Avec une ressource en format ouvert (%)", "With an open-format resource (%)"},
	"ind_tau":              {"Frais, tau (%)", "Fresh, tau (%)"},
	"ind_up_to_date":       {"À jour, frais ou à échéance (%)", "Up to date, fresh or due (%)"},
	"ind_completeness":     {"Complétude moyenne (/100)", "Mean completeness (/100)"},
	"ind_overall":          {"Score global moyen (/100)", "Mean overall score (/100)"},
	"ind_links_working":    {"Liens qui fonctionnent (%)", "Links that work (%)"},
	"ind_mqa_excellent":    {"Cote MQA excellente", "MQA rating excellent"},
	"ind_mqa_good":         {"Cote MQA bonne", "MQA rating good"},
	"ind_mqa_sufficient":   {"Cote MQA suffisante", "MQA rating sufficient"},
	"ind_licence_unknown":  {"Ouverture de la licence inconnue (jeux)", "Licence openness unknown (datasets)"},
	"ind_mqa_bad":          {"Cote MQA insuffisante", "MQA rating bad"},

	// Columns.
	"col_rank":         {"Rang", "Rank"},
	"col_org":          {"Organisation", "Organization"},
	"col_org_title":    {"Nom de l'organisation", "Organization title"},
	"col_name":         {"Nom", "Name"},
	"col_title":        {"Titre", "Title"},
	"col_id":           {"Identifiant", "ID"},
	"col_url":          {"Page du portail", "Portal page"},
	"col_datasets":     {"Jeux", "Datasets"},
	"col_overall":      {"Global", "Overall"},
	"col_completeness": {"Complétude", "Completeness"},
	"col_freshness":    {"Fraîcheur", "Freshness"},
	"col_openness":     {"Ouverture", "Openness"},
	"col_availability": {"Disponibilité", "Availability"},
	"col_mqa":          {"Points MQA", "MQA points"},
	"col_rating":       {"Cote MQA", "MQA rating"},
	"col_status":       {"État de fraîcheur", "Freshness status"},
	"col_frequency":    {"Fréquence", "Frequency"},
	"col_stars":        {"Étoiles", "Stars"},
	"col_open_licence": {"Licence ouverte (%)", "Open licence (%)"},
	"col_open":         {"Licence ouverte", "Open licence"},
	"col_tau":          {"tau (%)", "tau (%)"},
	"col_broken":       {"Liens brisés", "Broken links"},
	"col_errors":       {"Erreurs", "Errors"},
	"col_warnings":     {"Avertissements", "Warnings"},
	"col_infos":        {"Infos", "Infos"},
	"col_rule":         {"Règle", "Rule"},
	"col_dimension":    {"Dimension", "Dimension"},
	"col_severity":     {"Gravité", "Severity"},
	"col_resource":     {"Ressource", "Resource"},
	"col_resource_id":  {"Id de ressource", "Resource id"},
	"col_points":       {"Points perdus", "Points lost"},
	"col_message":      {"Message", "Message"},
	"col_hint":         {"Correctif", "How to fix"},
	"col_link":         {"Lien", "Link"},
	"col_class":        {"État", "State"},
	"col_http":         {"HTTP", "HTTP"},
	"col_reason":       {"Raison", "Reason"},
	"col_since":        {"En échec depuis", "Failing since"},
	"col_checked":      {"Vérifié le", "Checked at"},
	"col_last_ok":      {"Dernier succès", "Last success"},
	"col_n_datasets":   {"Nb de jeux", "Datasets"},
	"col_findings":     {"Constats", "Findings"},
	"yes":              {"oui", "yes"},
	"no":               {"non", "no"},

	// Values: the codes' labels come from vigie.Labels (see init).
	"no_org": {"(sans organisation)", "(no organization)"},

	// Published and not published.
	"col_visibility":   {"Visibilité", "Visibility"},
	"not_published":    {"Jeux non publiés (exclus des indicateurs)", "Datasets not published (left out of the indicators)"},
	"not_published_n":  {"%d privés, %d brouillons, %d supprimés", "%d private, %d draft, %d deleted"},
	"private_included": {"Les jeux non publiés figurent dans les listes, marqués [privé], [brouillon] ou [supprimé] : ce rapport ne doit pas être diffusé tel quel.", "Datasets not published are listed, marked [private], [draft] or [deleted]: do not share this report as is."},
	"private_excluded": {"Les jeux non publiés ne figurent pas dans ce rapport.", "Datasets not published are not in this report."},
	"as_of":            {"Date de référence (horloge fixée par --now)", "As of (clock fixed with --now)"},
	"baseline_given":   {"référence : %s jeux", "baseline: %s datasets"},
}

func init() {
	for code, t := range vigie.Labels() {
		labels[code] = [2]string{t.FR, t.EN}
	}
}

// T returns the label for key in lang ("fr" or "en"; French otherwise). An
// unknown key is returned as is, so stored values without a label still show.
func T[K ~string](lang string, key K) string {
	l, ok := labels[string(key)]
	if !ok {
		return string(key)
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}
