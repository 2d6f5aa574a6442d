package main

// French help: every command's short and long description and every flag's
// usage. Keys: "<command path>" for Short, "<command path>/long" for Long,
// "<command path> --<flag>" for a flag (then "--<flag>" for one shared by
// several commands with the same meaning). English is the source in code;
// TestHelpIsTranslated fails when a text has no French here.
var helpFR = map[string]string{
	"vigie": "Auditer un catalogue de données ouvertes CKAN : moissonner, vérifier les liens, évaluer, produire des rapports",
	"vigie/long": `vigie audite les catalogues de données ouvertes publiés avec CKAN.

Il moissonne les métadonnées de chaque jeu de données dans SQLite, vérifie que
les liens des ressources fonctionnent, évalue chaque jeu (complétude des
métadonnées, fraîcheur, ouverture, disponibilité), explique chaque point perdu
et produit des rapports (Excel, CSV, JSON, HTML, Markdown). Données Québec est
le portail par défaut ; tout portail CKAN convient.

Codes de sortie :
  0    succès
  1    échec (réseau, portail, base de données ou fichier)
  2    erreur d'utilisation (option ou argument invalide)
  3    seuil de qualité non atteint (audit --fail-under / --fail-on)
  130  interrompu (Ctrl-C ou SIGTERM) ; les données enregistrées restent telles quelles

Environnement :
  VIGIE_DB          fichier de base de données (--db)
  VIGIE_PORTAL      racine du site CKAN (--portal)
  VIGIE_LANG        langue des messages et des rapports, fr ou en (--lang)
  VIGIE_NOW         « maintenant » fixé pour la fraîcheur et les dates, pour reproduire un audit passé (--now)
  VIGIE_API_TOKEN   jeton d'API CKAN pour les jeux privés (jamais journalisé ni enregistré)
  VIGIE_CONFIG      fichier de configuration (--config) ; voir « vigie config show --example »`,

	"vigie audit": "Audit de nuit : moissonner, vérifier les liens, évaluer, écrire les rapports, comparer, appliquer le seuil",
	"vigie audit/long": `Exécute tout l'audit sous un seul verrou d'écriture, une étape après l'autre :

  harvest   incrémental par défaut (--full force une passe complète, seule
            à détecter les suppressions)
  links     les URL non vérifiées récemment, les nouvelles et modifiées d'abord
  score     chaque jeu du dernier moissonnage
  reports   OUT/AAAA-MM-JJ[-N]/ avec audit.xlsx, audit.html, audit.json,
            audit.md, diff.md et diff.json (ce qui a changé depuis l'évaluation
            précédente) et run.json (étapes, durées, seuil) ; OUT/latest y
            pointe. Ils ne comptent et ne listent que les jeux publiés ; avec
            --include-private (le moissonnage demande alors un jeton), les jeux
            privés, brouillons et supprimés sont listés aussi, marqués, et
            toujours exclus des indicateurs

Chaque étape écrit une ligne avec sa durée (--quiet ne garde que les
avertissements, les erreurs et la ligne finale sur la sortie standard). Une
étape en échec arrête l'audit avec le code 1 ; ce que les étapes précédentes ont
enregistré reste, et l'exécution suivante reprend à partir de là. Un dossier de
rapports n'apparaît qu'une fois complet.

Seuil de qualité (sur les organisations de --org, ou tout le portail) :
  --fail-under N    le score global moyen est sous N
  --fail-on LISTE   l'une de ces conditions est vraie (séparées par des virgules) :
    broken-links      un lien utilisé par un jeu du périmètre est brisé (confirmé, pas seulement en échec)
    new-broken-links  un lien s'est brisé depuis l'audit précédent
    delinquent        un jeu est très en retard sur sa fréquence de mise à jour déclarée
    overdue           un jeu est en retard ou très en retard
    errors            un jeu a un constat de gravité « erreur »
    score-drop        le score global d'un jeu a baissé de plus de --threshold points depuis l'audit précédent

Plusieurs portails : --all (ceux de la configuration, puis les autres que la
base contient), --portal répété, ou aucun --portal avec une configuration qui en
liste plusieurs. Ils sont audités dans un seul processus, --parallel à la fois
(3) : le travail réseau d'un portail chevauche celui des autres, les écritures
dans la base se font à tour de rôle. Chacun a ses réglages (ceux du fichier,
puis les options données) et son dossier OUT/NOM/. Un portail en échec n'arrête
pas les autres ; une ligne par portail suit, et le code de sortie est le pire
d'entre eux (130, 1, 3, puis 0).

Codes de sortie :
  0    audit fait, seuil atteint (ou aucun seuil)
  1    une étape a échoué (réseau, portail, base de données ou fichier)
  2    erreur d'utilisation
  3    seuil de qualité non atteint : les rapports sont écrits, une ligne dit pourquoi
  130  interrompu ; les données restent telles qu'après la dernière étape terminée`,

	"vigie check": "Vérifier que le fichier de base de données n'est pas endommagé",
	"vigie check/long": `Lit chaque page et chaque index de la base (PRAGMA integrity_check) et dit
si elle est saine. Les autres commandes ne lisent que l'en-tête et le schéma à
l'ouverture ; un écrivain vérifie lui-même chaque page après un arrêt brutal (un
moissonnage, links, score, prune ou audit tué). À lancer après avoir copié ou
restauré une base, ou quand une commande signale un fichier endommagé. Code de
sortie 1 si un dommage est trouvé. N'écrit rien et lit tout le fichier (environ
8 s de calcul pour la base de 1,2 Go de 100 000 jeux).

Avec --migrate, met seulement à jour le schéma d'une base écrite par un vigie
plus ancien, sous le verrou d'écriture, sans rien vérifier d'autre. Les
commandes en lecture seule le font elles-mêmes quand elles peuvent écrire le
fichier et qu'aucun écrivain ne le tient.`,

	"vigie config":      "Afficher la configuration en vigueur (vigie.yaml avec les valeurs par défaut et les options appliquées)",
	"vigie config/long": "",
	"vigie config show": "Afficher la configuration effective ; jetons et mots de passe ne sont jamais affichés, seulement leurs fichiers",
	"vigie config show/long": `Affiche la configuration en vigueur : le fichier trouvé (--config, VIGIE_CONFIG,
./vigie.yaml, puis le dossier de configuration de l'utilisateur), chaque
portail avec les valeurs communes complétées, et les réglages globaux après
options et environnement.

Le fichier contient les chemins des secrets (token_file, smtp.password_file),
jamais les secrets : un jeton mis dans le fichier est refusé. --example affiche
un fichier commenté pour commencer.`,

	"vigie datasets": "Lister les jeux de données que la base contient pour un portail",
	"vigie datasets/long": `Liste les jeux du portail tels que moissonnés la dernière fois, par nom, avec
leurs derniers scores une fois « vigie score » exécuté. --state choisit active
(par défaut), missing, deleted ou all. Le JSON est un tableau d'objets avec id,
name, title, organization, organization_title, metadata_modified,
num_resources, state (celui de vigie : le jeu était-il listé par les dernières
passes), visibility (public = publié ; private, draft ou deleted sur le
portail : jamais compté comme publié), private et ckan_state (l'indicateur et
l'état de CKAN), license_id, update_frequency, scores (overall, completeness,
freshness, openness, availability : 0–100 ou null), mqa {points, rating},
freshness_status et stars (null avant l'évaluation).`,

	"vigie diff": "Montrer ce qui a changé entre deux évaluations",
	"vigie diff/long": `Compare deux évaluations du portail : jeux apparus, disparus, supprimés ou
revenus ; jeux dont le score global a baissé ou monté de plus de --threshold
points ; constats apparus ou résolus ; liens brisés ou réparés ; changements
d'état de fraîcheur ; et la même chose par organisation.

--from et --to prennent latest, previous, un numéro d'évaluation ou une date
AAAA-MM-JJ (la dernière évaluation complète terminée au plus tard à la fin de ce
jour, heure locale). Par défaut, la dernière évaluation est comparée à la
précédente (même profil). Seuls les jeux publiés sont comparés, sauf avec
--include-private.`,

	"vigie explain/use": "NOM",
	"vigie explain":     "Expliquer les scores d'un jeu : chaque dimension, chaque point perdu et comment le corriger",
	"vigie explain/long": `Explique les scores d'un jeu d'après la dernière évaluation qui l'a noté :
chaque dimension, les points MQA, puis chaque constat avec les points qu'il a
coûtés et comment le corriger.
Les points perdus dans une dimension totalisent 100 moins son score.

Les messages suivent --lang (fr ou en). --format json donne la même chose pour les outils.`,

	"vigie harvest": "Moissonner les jeux de données et les organisations d'un portail CKAN dans la base",
	"vigie harvest/long": `Moissonne les métadonnées des jeux d'un portail CKAN dans la base.

La première exécution, --full, et toute exécution dont la dernière passe
complète est plus vieille que --full-every listent chaque jeu (package_search
trié par id, paginé selon ce que le portail renvoie vraiment, trous comblés par
package_show). Les autres ne demandent que les jeux modifiés depuis la dernière
exécution réussie (moins une heure), et passent à une passe complète quand le
compte du portail et celui de la base divergent.

Un jeu absent d'une passe complète devient « missing » ; absent de deux passes
complètes consécutives, « deleted » (il reste dans l'historique). Avec --org,
seules ces organisations sont moissonnées et seuls leurs jeux peuvent être
marqués. Une passe qui marquerait plus de --max-missing (10 %) des jeux actifs
comme disparus en demande d'abord un échantillon à package_show : si l'un
existe encore (un index de recherche en reconstruction ne liste qu'une partie du
catalogue), l'exécution échoue et rien n'est marqué.

--include-private demande un jeton d'API CKAN, lu dans VIGIE_API_TOKEN ou
--token-file ; il est envoyé dans l'en-tête Authorization, jamais journalisé ni
enregistré.

--from importe un fichier enregistré au lieu d'appeler le portail : un vidage
ckanapi (lignes JSON), une liste JSON de jeux, ou des réponses package_show,
package_search, organization_show ou organization_list enregistrées,
compressées gzip ou non (ckanapi dump … -z), ou « - » pour l'entrée standard.
Une importation ne fait qu'ajouter et mettre à jour ; avec --full, le fichier
est pris comme le catalogue entier et les jeux qu'il n'a pas sont marqués
disparus, puis supprimés (refusé au-delà de --max-missing : passez
--max-missing 100% si le fichier est vraiment tout le catalogue).

Chaque page est écrite à son arrivée ; un moissonnage en échec ou interrompu
marque son exécution comme telle et laisse les marques missing/deleted et la
dernière exécution complète comme elles étaient.`,

	"vigie links": "Vérifier poliment que les URL des ressources répondent, et lister les résultats",
	"vigie links/long": `Vérifie une fois chaque URL distincte des ressources des jeux actifs du
portail : d'abord HEAD, puis un GET du premier octet seulement, puis (si le
serveur refuse les plages) un GET qui lit au plus 4 Kio. Les fichiers ne sont
jamais téléchargés.

Par défaut, seules les URL non vérifiées depuis --older-than (24h) le sont,
les jamais vérifiées d'abord. --all les vérifie toutes.

États :
  ok        répond avec succès (une page HTML là où des données étaient
            déclarées reste ok mais est marquée page d'accueil)
  failing   en échec (404, 410, 5xx, DNS, refus, corps vide) mais pas encore
            --failures fois sur au moins --broken-after
  broken    en échec --failures fois de suite sur au moins --broken-after
  unsure    401/403, 429, défi anti-robot, erreur TLS, délai dépassé, ftp: et
            autres schémas invérifiables
  invalid   pas une URL
  blocked   se résout en adresse de bouclage, privée ou locale au lien
            (refusée sauf avec --allow-private)

Politesse : au plus --per-host requêtes à la fois vers un hôte, --delay entre
elles, Retry-After respecté (jusqu'à 60 s), et un User-Agent qui nomme vigie et
sa page d'accueil. Un nom d'hôte inexistant n'est cherché qu'une fois par
exécution. Après 3 vérifications consécutives d'un hôte terminées par un délai
dépassé, un nom introuvable ou aucune route, ses autres URL ne sont pas
vérifiées : elles sont incertaines (« hôte injoignable pendant cette
exécution »), ne comptent pas comme des échecs et seront revérifiées à
l'exécution suivante ; le résumé dit combien.

Mandataire (proxy) : les liens sont vérifiés directement, sauf avec
--links-proxy env ; ils passent alors par le mandataire de HTTPS_PROXY /
HTTP_PROXY (NO_PROXY respecté, bouclage jamais mandaté). Le mandataire peut être
sur une adresse privée ; le nom d'hôte de chaque lien est tout de même résolu
ici et refusé (blocked) s'il se résout en adresse de bouclage, privée ou locale
au lien, avant de demander au mandataire.

Sortie : une ligne de résumé. Avec --format, aussi les URL de cette exécution
(tableau ou tableau JSON). --list affiche les résultats enregistrés sans rien
vérifier. Ctrl-C arrête la vérification ; ce qui a été vérifié est enregistré et
l'exécution est marquée interrompue.`,

	"vigie notify": "Envoyer à chaque éditeur son rapport par courriel (simulation sauf avec --send)",
	"vigie notify/long": `Écrit les rapports par éditeur (comme « vigie report --per-org DOSSIER ») pour
le portail, puis envoie à chaque organisation son rapport : aux adresses
trouvées dans les métadonnées de ses jeux (author_email, maintainer_email,
points de contact), avec un court résumé dans le corps et ses rapports html et
xlsx en pièces jointes.

Par défaut rien n'est envoyé : chaque message qui partirait est affiché
(destinataires, objet, pièces jointes). --send les envoie par le serveur SMTP de
la section smtp de la configuration : host, port (587), from, username et
password_file (le mot de passe est lu dans ce fichier, jamais dans la
configuration, et jamais affiché), subject, reply_to, ca_file. La session passe
toujours en TLS avec STARTTLS et vérifie le certificat ; starttls: false n'est
permis que pour un relais sur cette machine.

--only-changes n'écrit qu'aux éditeurs dont les résultats se sont dégradés
entre les deux derniers audits du portail : score global moyen en baisse de plus
d'un demi-point, plus de constats de gravité « erreur », ou plus de liens brisés.

--to ADRESSE envoie plutôt chaque message à cette adresse (pour essayer l'envoi
avant d'écrire aux éditeurs). Les organisations sans adresse sont listées et
sautées. Un message en échec n'arrête pas les autres ; le code de sortie est 1
si l'un a échoué.`,

	"vigie orgs": "Lister les organisations qui ont des jeux : scores moyens par dimension, liens brisés, rang",
	"vigie orgs/long": `Liste les organisations (éditeurs) qui ont des jeux évalués, classées dans leur
portail par score global moyen (les meilleures d'abord, les inconnues à la fin),
avec leurs jeux, le score moyen par dimension, les points MQA moyens, les
constats de gravité « erreur » et les liens brisés distincts, d'après la
dernière évaluation complète de chaque portail. Tous les portails de la base, ou
seulement --portal (une URL ou, avec un fichier de configuration, le nom d'un
portail).

La colonne name est ce que --org attend.`,

	"vigie portals": "Lister les portails que la base contient : jeux, dernier moissonnage, évaluation et audit",
	"vigie portals/long": `Liste chaque portail que la base contient (ceux de la configuration d'abord,
dans son ordre) : son nom (celui de la configuration, sinon tiré de son
adresse), la version de CKAN, les jeux publiés (actifs et publics), privés
(actifs, jamais comptés comme publiés) et disparus (absents de la dernière liste
complète), le dernier moissonnage et son état, la dernière évaluation complète,
et le dernier audit avec son seuil de qualité (passed, failed, ou none sans
seuil).

Le JSON est un tableau d'objets : name, url, title, ckan_version, published,
private, missing, last_harvest, last_score_run {id, status, mode, profile,
started_at, finished_at}, last_audit {id, status, score_run, out_dir, gate,
gate_reasons, started_at, finished_at} ; null quand il n'y en a pas.`,

	"vigie profile": "Lister et afficher les profils d'évaluation",
	"vigie profile/long": `Un profil fixe les règles de complétude et leurs points, les valeurs permises,
les seuils de fraîcheur, l'échelle d'ouverture et les poids du score global.
Les profils intégrés sont des fichiers YAML dans vigie ; affichez-en un,
modifiez-le et passez le fichier à « vigie score --profile FICHIER ». Un fichier
qui commence par « extends: <intégré> » n'a besoin que des réglages qu'il change.`,
	"vigie profile list":      "Lister les profils intégrés",
	"vigie profile list/long": "",
	"vigie profile show/use":  "NOM",
	"vigie profile show":      "Afficher un profil intégré comme un fichier YAML modifiable",
	"vigie profile show/long": "",

	"vigie prune": "Oublier les vieilles exécutions et compacter la base",
	"vigie prune/long": `Garde les --keep dernières exécutions de moissonnage, de liens et d'évaluation
du portail donné par --portal, ou de chaque portail quand --portal (et
VIGIE_PORTAL) n'est pas donné (avec leurs scores, constats, vérifications de
liens et événements de jeux, et les moissonnages et vérifications de liens dont
une évaluation gardée est issue), l'état courant et la dernière version de
chaque jeu ainsi que les versions en vigueur pendant les exécutions gardées ;
supprime le reste en une transaction, puis rend l'espace au disque. Prend le
verrou d'écriture, comme harvest.

prune fonctionne sur un disque plein : quand la transaction unique ne tient
pas, les lignes partent par petites transactions en vidant le journal après
chacune, et l'espace revient quelques pages à la fois (vacuum incrémental)
plutôt qu'en réécrivant le fichier. Une base créée avant que vigie ne l'active
est réécrite une fois (VACUUM) si le disque a la place de la copie ; sinon ses
pages libres restent dans le fichier, réutilisées par les exécutions suivantes,
et prune dit combien de place une réécriture demande.`,

	"vigie report": "Écrire un rapport depuis la base : Excel, tableau de bord HTML, CSV, JSON ou Markdown",
	"vigie report/long": `Écrit un rapport de la dernière évaluation, depuis la base seule (sans réseau) :
les indicateurs de l'engagement (« Démocratiser les données ouvertes ») avec
leur variation depuis l'évaluation comparée, les organisations classées, les
scores de chaque jeu, les constats avec leurs correctifs, les liens qui ne
fonctionnent pas et l'historique des évaluations.

Formats : xlsx (sommaire, graphiques et une feuille par tableau), html (un
tableau de bord autonome hors ligne), csv (un fichier par tableau dans le
dossier --out ; en français « ; », BOM UTF-8 et virgule décimale, comme les
tableurs français les lisent), json (tout le rapport ; forme dans
docs/report.schema.json), md (indicateurs, organisations les plus faibles,
constats les plus fréquents ; sur la sortie standard par défaut).

--format se déduit de l'extension de --out s'il manque. --compare prend un
numéro d'évaluation, une date AAAA-MM-JJ (la dernière évaluation terminée au
plus tard ce jour-là) ou previous (par défaut : la précédente, même profil).
Les libellés suivent --lang.

Seuls les jeux publiés (actifs et non privés sur le portail) sont comptés et
listés. --include-private liste aussi les jeux privés, brouillons et supprimés,
chacun marqué (« [privé] »…) dans tous les formats, pour usage interne : les
indicateurs ne comptent toujours que les jeux publiés.

L'indicateur « jeux publiés » est comparé à la référence que déclare le profil
(Données Québec : 1 200 jeux en 2021) ; --baseline N en donne une autre, pour
tout portail.

Plusieurs portails : --portals all|LISTE écrit plutôt une comparaison, une ligne
par portail d'après sa dernière évaluation complète (jeux, éditeurs, score moyen
par dimension, cotes MQA, parts sous licence ouverte et lisibles par machine,
tau, liens qui fonctionnent, liens brisés, et la référence fixée dans la
configuration) et l'évolution de chaque portail au fil de ses évaluations ; le
html et le xlsx dessinent ces évolutions (le html en SVG intégré, toujours un
seul fichier hors ligne) ; csv écrit portals.csv et trend.csv dans le dossier
--out ; json suit docs/comparison.schema.json. « all » désigne chaque portail de
la configuration et de la base qui a été évalué.

Par éditeur : --per-org DOSSIER écrit, pour le portail, un rapport par
organisation (NOM.html, NOM.xlsx, NOM.md, au nom de l'organisation), index.html
(les organisations classées, avec des liens vers leurs rapports) et
contacts.csv pour un publipostage : organisation, titre, adresses courriel
trouvées dans les métadonnées de ses jeux, jeux, score global, erreurs, liens
brisés, pires jeux et chemins de ses rapports.`,

	"vigie runs": "Montrer l'historique des moissonnages du portail",
	"vigie runs/long": `Montre les moissonnages du portail, du plus récent au plus ancien : quand, mode
(full, incremental, import), état (running, complete, failed, interrupted), si
une passe complète a vu toute la liste, le compte du portail, et les jeux
nouveaux, modifiés, inchangés, disparus et supprimés, et la version de vigie.`,

	"vigie score": "Évaluer chaque jeu actif : complétude, fraîcheur, ouverture, disponibilité et MQA",
	"vigie score/long": `Évalue les jeux actifs du portail d'après le dernier moissonnage et la dernière
vérification des liens, en une évaluation enregistrée dans la base (l'historique
et les comparaisons la lisent).

Chaque jeu reçoit 0–100 par dimension (complétude, fraîcheur, ouverture,
disponibilité ; inconnu quand on ne peut pas juger), une moyenne globale
pondérée, les points MQA de data.europa.eu (0–405) et leur cote, et un constat
pour chaque point perdu avec son correctif (« vigie explain NOM »).

Le profil fixe les règles, les points et les poids. Sans --profile, vigie
choisit donneesquebec pour Données Québec et Montréal (ou les portails dont les
jeux portent leurs champs) et ckan sinon. Intégrés : donneesquebec, ckan, mqa ;
ou un fichier YAML (« vigie profile show ckan » en affiche un pour commencer).`,

	"vigie version": "Afficher la version de vigie, le commit dont il est issu et la version de Go",
	"vigie version/long": `Affiche la version de vigie, le commit dont il a été compilé (d'après
l'estampille VCS de Go ; « modified » si l'arbre de travail avait des
changements) et la version de Go. Chaque moissonnage, vérification de liens,
évaluation et rapport enregistre la version, et chaque évaluation l'empreinte
des règles de son profil : « vigie runs » et les rapports les montrent.`,

	"vigie export/use": "DOSSIER",
	"vigie export":     "Écrire l'historique de la base en tableaux Parquet (ou CSV) pour l'analyse",
	"vigie export/long": `Écrit la base en tableaux au format long, un fichier par tableau dans DOSSIER :
portals, runs (moissonnages, vérifications de liens, évaluations et audits),
datasets (état courant), scores (une ligne par jeu, évaluation et dimension ; un
score inconnu est NULL, jamais 0), findings et links (une ligne par ressource
dont l'URL a été vérifiée). DuckDB, Spark, pandas ou R les lisent sans vigie ;
docs/export.md décrit chaque colonne.

Tous les portails sont exportés sauf si --portal en nomme (répétez-la). --since
garde les exécutions commencées à cette date ou après, avec leurs scores et
constats. Chaque fichier est écrit sous un nom temporaire puis renommé une fois
complet : une exportation interrompue laisse les fichiers précédents, jamais un
fichier partiel. Les fichiers Parquet sont compressés snappy (--compression
zstd : environ trois fois plus petits, environ 100 Mio de mémoire en plus) ; le
CSV neutralise le texte qui ressemble à une formule.`,
	"vigie export --compression": "compression Parquet : snappy ou zstd (fichiers plus petits, plus de mémoire)",
	"vigie export --format":      "format des fichiers : parquet ou csv",
	"vigie export --json":        "afficher les fichiers écrits en JSON",
	"vigie export --portal":      "racine du site CKAN ou nom d'un portail configuré à exporter ; répétez-la pour plusieurs (par défaut : tous les portails)",
	"vigie export --since":       "garder les exécutions commencées à cette date ou après (AAAA-MM-JJ), avec leurs scores et constats",
	"vigie completion":           "Produire le script d'autocomplétion de vigie pour l'interpréteur indiqué",
	"vigie completion/long": `Produit le script d'autocomplétion de vigie pour l'interpréteur indiqué.
L'aide de chaque sous-commande dit comment utiliser le script produit.`,
	"vigie completion bash": "Produire le script d'autocomplétion pour bash",
	"vigie completion bash/long": `Produit le script d'autocomplétion pour l'interpréteur bash.

Ce script demande le paquet « bash-completion » ; s'il n'est pas installé,
installez-le avec le gestionnaire de paquets de votre système.

Pour charger l'autocomplétion dans la session en cours :

	source <(vigie completion bash)

Pour la charger dans chaque nouvelle session, exécutez une fois :

#### Linux :

	vigie completion bash > /etc/bash_completion.d/vigie

#### macOS :

	vigie completion bash > $(brew --prefix)/etc/bash_completion.d/vigie

Ouvrez un nouvel interpréteur pour que ce réglage prenne effet.`,
	"vigie completion zsh": "Produire le script d'autocomplétion pour zsh",
	"vigie completion zsh/long": `Produit le script d'autocomplétion pour l'interpréteur zsh.

Si l'autocomplétion n'est pas encore activée dans votre environnement,
activez-la en exécutant une fois :

	echo "autoload -U compinit; compinit" >> ~/.zshrc

Pour charger l'autocomplétion dans la session en cours :

	source <(vigie completion zsh)

Pour la charger dans chaque nouvelle session, exécutez une fois :

#### Linux :

	vigie completion zsh > "${fpath[1]}/_vigie"

#### macOS :

	vigie completion zsh > $(brew --prefix)/share/zsh/site-functions/_vigie

Ouvrez un nouvel interpréteur pour que ce réglage prenne effet.`,
	"vigie completion fish": "Produire le script d'autocomplétion pour fish",
	"vigie completion fish/long": `Produit le script d'autocomplétion pour l'interpréteur fish.

Pour charger l'autocomplétion dans la session en cours :

	vigie completion fish | source

Pour la charger dans chaque nouvelle session, exécutez une fois :

	vigie completion fish > ~/.config/fish/completions/vigie.fish

Ouvrez un nouvel interpréteur pour que ce réglage prenne effet.`,
	"vigie completion powershell": "Produire le script d'autocomplétion pour PowerShell",
	"vigie completion powershell/long": `Produit le script d'autocomplétion pour PowerShell.

Pour charger l'autocomplétion dans la session en cours :

	vigie completion powershell | Out-String | Invoke-Expression

Pour la charger dans chaque nouvelle session, ajoutez la sortie de la
commande ci-dessus à votre profil PowerShell.`,
	"--no-descriptions": "ne pas proposer de descriptions avec les complétions",
	"vigie help":        "Aide sur une commande",

	// Flags.
	"vigie audit --all":              "auditer tous les portails : ceux de la configuration, puis les autres que la base contient",
	"vigie links --all":              "vérifier chaque URL, même vérifiée récemment",
	"vigie links --allow-private":    "se connecter aussi aux adresses de bouclage, privées et locales au lien",
	"vigie audit --allow-private":    "se connecter aussi aux adresses de bouclage, privées et locales au lien : cibles des liens, et redirections du portail quand il est lui-même public",
	"vigie harvest --allow-private":  "suivre le portail vers des adresses de bouclage, privées et locales au lien même quand il est lui-même public",
	"--baseline":                     "nombre de jeux auquel l'indicateur des jeux publiés est comparé (par défaut : celui du profil, s'il y en a un)",
	"--bom":                          "csv : commencer par une marque d'ordre d'octets UTF-8, true ou false (par défaut true en français)",
	"--broken-after":                 "les échecs doivent s'étaler sur au moins cette durée",
	"--class":                        "n'afficher que les liens de ces états (ok, broken, failing, unsure, invalid, blocked)",
	"--compare":                      "évaluation à laquelle comparer : numéro, date AAAA-MM-JJ ou previous (par défaut previous)",
	"--concurrency":                  "requêtes en cours au total",
	"--config":                       "fichier de configuration (env VIGIE_CONFIG ; par défaut ./vigie.yaml, puis le dossier de configuration de l'utilisateur)",
	"--db":                           "fichier de base de données SQLite, ou postgres://UTILISATEUR@HÔTE/BASE pour une base PostgreSQL partagée (env VIGIE_DB)",
	"--decimal":                      "csv : séparateur décimal « . » ou « , » (par défaut « , » en français, « . » en anglais)",
	"--delay":                        "délai minimal entre deux requêtes vers un même hôte",
	"vigie notify --dir":             "dossier des rapports par éditeur (réécrits d'abord)",
	"--example":                      "afficher plutôt un fichier d'exemple commenté",
	"--fail-on":                      "sortir avec le code 3 si l'une de ces conditions est vraie : broken-links,new-broken-links,delinquent,overdue,errors,score-drop",
	"--fail-under":                   "sortir avec le code 3 si le score global moyen du périmètre est sous cette valeur (0–100)",
	"--failures":                     "échecs consécutifs avant qu'un lien soit brisé",
	"vigie links --format":           "sortie des résultats : table ou json",
	"vigie prune --format":           "sortie : table ou json",
	"vigie datasets --format":        "sortie : table, json ou csv",
	"vigie diff --format":            "sortie : table, md ou json",
	"vigie explain --format":         "sortie : text ou json",
	"vigie report --format":          "format du rapport : xlsx, html, csv, json, md (par défaut : selon l'extension de --out, sinon md)",
	"vigie config show --format":     "yaml ou json",
	"vigie harvest --from":           "importer ce fichier enregistré au lieu d'appeler le portail (gzip ou non ; - pour l'entrée standard)",
	"vigie diff --from":              "évaluation la plus ancienne : latest, previous, un numéro ou AAAA-MM-JJ",
	"vigie harvest --full":           "forcer une passe complète (avec --from : le fichier est tout le catalogue)",
	"vigie audit --full":             "forcer une passe de moissonnage complète (nécessaire pour voir les suppressions)",
	"--full-every":                   "faire une passe complète quand la dernière est plus vieille que cette durée",
	"vigie diff --include-private":   "comparer aussi les jeux privés, brouillons et supprimés (marqués) ; sans cela seulement les publiés",
	"vigie report --include-private": "lister aussi les jeux privés, brouillons et supprimés, marqués (usage interne) ; les indicateurs restent limités aux publiés",
	"vigie audit --include-private":  "inclure les jeux privés (demande VIGIE_API_TOKEN ou --token-file)",
	"--keep":                         "nombre d'exécutions de chaque sorte à garder par portail",
	"--lang":                         "langue des messages et des rapports : fr ou en (env VIGIE_LANG)",
	"vigie runs --limit":             "nombre d'exécutions à montrer (0 = toutes)",
	"vigie diff --limit":             "lignes par section en sortie table et md (0 = toutes) ; le json est toujours complet",
	"--links-proxy":                  "vérifier les liens par un mandataire : none, ou env (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) ; la règle des adresses s'applique toujours à chaque lien",
	"--links-timeout":                "vérification des liens : délai d'une requête (HEAD, GET partiel, GET court chacun)",
	"--list":                         "afficher les résultats enregistrés sans vérifier",
	"--log-format":                   "format du journal : text ou json",
	"--max":                          "s'arrêter après ce nombre de problèmes",
	"vigie check --migrate":          "mettre seulement à jour le schéma (base écrite par un vigie plus ancien)",
	"--max-missing":                  "part des jeux actifs qu'une passe peut marquer disparus avant qu'un échantillon soit vérifié auprès du portail (0–100 %)",
	"--max-response":                 "plus grande réponse d'API acceptée, en octets",
	"--metrics-file":                 "écrire ici les métriques Prometheus (collecteur textfile de node_exporter : un fichier *.prom), de façon atomique",
	"--now":                          "juger à cette date, RFC 3339 ou AAAA-MM-JJ (00:00 UTC), enregistrée dans les exécutions (env VIGIE_NOW)",
	"--older-than":                   "vérifier les URL non vérifiées depuis cette durée (les nouvelles toujours)",
	"--only-changes":                 "seulement les éditeurs dont les résultats se sont dégradés depuis l'audit précédent",
	"vigie links --org":              "seulement les jeux de cette organisation (nom ; répétez ou séparez par des virgules)",
	"vigie datasets --org":           "seulement cette organisation (nom ; répétable)",
	"vigie diff --org":               "seulement cette organisation (répétable)",
	"vigie audit --org":              "seulement cette organisation (répétable) : moissonnage, rapports et seuil",
	"vigie report --org":             "seulement cette organisation (répétable ; son nom court)",
	"vigie report --out":             "fichier à écrire (un dossier pour csv) ; md et json vont sur la sortie standard sans lui",
	"vigie audit --out":              "dossier qui reçoit un sous-dossier daté par audit (obligatoire)",
	"--parallel":                     "portails audités à la fois (plusieurs portails seulement)",
	"--per-host":                     "requêtes en cours par hôte",
	"--per-org":                      "écrire un rapport par organisation (html, xlsx, md), index.html et contacts.csv dans ce dossier",
	"vigie --portal":                 "racine du site CKAN (env VIGIE_PORTAL)",
	"vigie audit --portal":           "racine du site CKAN ou nom d'un portail configuré ; répétez-la pour auditer plusieurs portails",
	"--portals":                      "comparer des portails côte à côte : all, ou une liste de noms ou d'URL séparés par des virgules",
	"--profile":                      "profil d'évaluation : donneesquebec, ckan, mqa ou un fichier YAML (par défaut : choisi d'après le portail)",
	"--quiet":                        "seulement les avertissements et les erreurs ; pas de barre de progression",
	"--rate":                         "requêtes par seconde vers le portail (0 = sans limite)",
	"--rows":                         "jeux demandés par page de package_search",
	"--send":                         "envoyer les messages (sans cela, seulement afficher ce qui serait envoyé)",
	"--sep":                          "csv : séparateur de champs « , », « ; » ou tabulation (par défaut « ; » en français, « , » en anglais)",
	"--state":                        "active, missing, deleted ou all",
	"vigie diff --threshold":         "variation du score global (points) qui compte comme une baisse ou une hausse",
	"vigie audit --threshold":        "variation de score (points) qui compte comme une baisse ou une hausse dans la comparaison",
	"vigie links --timeout":          "délai d'une requête (HEAD, GET partiel, GET court chacun)",
	"vigie audit --timeout":          "délai d'une requête d'API",
	"vigie diff --to":                "évaluation la plus récente : latest, previous, un numéro ou AAAA-MM-JJ",
	"vigie notify --to":              "envoyer chaque message à cette adresse plutôt qu'aux éditeurs",
	"--token-file":                   "fichier qui contient le jeton d'API CKAN",
	"--visibility":                   "public (publié), private, draft, deleted, unpublished ou all",
	"--help":                         "afficher l'aide de cette commande",
	"--version":                      "afficher la version de vigie",
}
