package main

// French help of vigie export, kept beside the command so that help_fr.go
// and this command change apart.
func init() {
	for k, v := range map[string]string{
		"vigie export": "Écrire l'historique de la base en tables Parquet (ou CSV) pour l'analyse",
		"vigie export/long": `Écrit la base en tables au format long, un fichier par table dans DIR :
portals, runs (moissonnages, vérifications de liens, évaluations et audits),
datasets (état actuel), scores (une ligne par jeu, évaluation et dimension ;
une note inconnue est NULL, jamais 0), findings et links (une ligne par
ressource dont l'URL a été vérifiée). DuckDB, Spark, pandas ou R les lisent
sans vigie ; docs/export.md décrit chaque colonne.

Tous les portails sont exportés, sauf si --portal en nomme (à répéter).
--since garde les exécutions commencées à cette date ou après, avec leurs
notes et constats. Chaque fichier est écrit sous un nom temporaire puis
renommé une fois complet : un export interrompu laisse les fichiers
précédents, jamais un fichier partiel. Les fichiers Parquet sont compressés
en zstd ; le CSV neutralise le texte qui ressemble à une formule.`,
		"vigie export --format": "format des fichiers : parquet ou csv",
		"vigie export --portal": "racine du site CKAN ou nom de portail configuré à exporter ; à répéter pour plusieurs (par défaut : tous les portails)",
		"vigie export --since":  "garder les exécutions commencées à cette date (AAAA-MM-JJ) ou après, avec leurs notes et constats",
		"vigie export --json":   "afficher en JSON les fichiers écrits",
	} {
		helpFR[k] = v
	}
}
