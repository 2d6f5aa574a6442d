package main

// French help of 'vigie worker' (see help_fr.go).
func init() {
	for k, v := range map[string]string{
		"vigie worker": "Auditer les portails d'une file, l'un après l'autre, à côté d'autres travailleurs",
		"vigie worker/long": `Audite les portails de la file des travailleurs, chacun à son échéance, à côté
d'autres travailleurs qui partagent la base (sur une machine ou plusieurs). La
file contient les portails du fichier de configuration (vigie.yaml) et ceux
ajoutés avec --add.

Chaque travailleur prend tour à tour un portail échu, l'audite exactement comme
« vigie audit --portal URL » (ses rapports vont dans OUT/NOM/), enregistre
comment l'audit s'est terminé et sa prochaine échéance (--every après le début
de l'audit), puis le rend. Pendant l'audit, il prolonge son bail sur le
portail toutes les --lease/3 ; un travailleur tué en plein audit cesse de le
faire, et une fois son bail échu un autre travailleur prend le portail et
l'audite. Les passes de l'audit tué restent interrompues et les dernières
bonnes données restent en place. Un audit en échec est repris après --retry.
Deux processus n'écrivent jamais un même portail à la fois : le verrou
d'écriture du portail est pris pour chaque audit (sur SQLite, celui de la base :
les travailleurs qui partagent un fichier SQLite écrivent chacun leur tour).

--once audite ce qui est échu puis s'arrête (cron, minuteries systemd,
CronJobs Kubernetes) : un portail échu d'ici --every/6 compte comme échu (4 h
pour 24 h), pour qu'une tâche lancée chaque jour à la même heure ne saute pas
un portail audité quelques minutes plus tard la veille ; chaque portail est
audité au plus une fois par exécution. Sans --once, le travailleur dort jusqu'à
la prochaine échéance (il regarde la file au moins toutes les --poll) et
tourne jusqu'à ce qu'on l'arrête.

SIGTERM ou Ctrl-C : plus aucune prise, l'audit en cours est interrompu aussitôt
(ses passes sont enregistrées interrompues, les données restent telles
qu'après la dernière étape terminée), son bail est rendu pour que le
travailleur suivant reprenne le portail sans attendre, et le travailleur sort
avec le code 130.

Le journal est fait de lignes simples (ou JSON avec --log-format json), chacune
nommant le travailleur (hôte:pid:aléa) et le portail : pris, audit terminé, en
échec, interrompu, bail perdu, rendu. Aucune barre de progression. Chaque audit
terminé écrit sa ligne de résumé sur la sortie standard, après le nom du
portail.

Codes de sortie :
  0    --once : chaque audit fait, seuil atteint (ou aucun seuil) ; --add, --remove, --list
  1    un audit a échoué (--once), ou la file ne peut pas être lue
  2    erreur d'utilisation
  3    --once : un seuil de qualité n'est pas atteint, les rapports sont écrits
  130  arrêté (SIGTERM, Ctrl-C)`,
		"vigie worker --once":   "auditer ce qui est échu puis s'arrêter (pour cron, les minuteries systemd, les CronJobs Kubernetes)",
		"vigie worker --every":  "un portail est de nouveau échu ce délai après le début de son audit",
		"vigie worker --lease":  "combien de temps une prise garde un portail sans battement de cœur (prolongée toutes les lease/3)",
		"vigie worker --poll":   "attente maximale entre deux regards sur la file (sans --once)",
		"vigie worker --retry":  "un audit en échec est de nouveau échu ce délai après sa fin",
		"vigie worker --add":    "ajouter ce portail (racine du site CKAN) à la file, échu maintenant, puis s'arrêter ; répétable",
		"vigie worker --remove": "retirer ce portail de la file puis s'arrêter ; répétable",
		"vigie worker --list":   "afficher la file (prochaine échéance, bail, dernier audit) puis s'arrêter",
		"vigie worker --format": "sortie de --list : table ou json",
	} {
		helpFR[k] = v
	}
}
