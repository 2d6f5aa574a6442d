package ckantest

// Vocabularies of the Données Québec scheming schema
// (testdata/real/schema/donneesqc_metadonnee_scheming_ville-de-montreal.json)
// and of the live portal, used by the generator and by tests that check it.

// UpdateFrequencies are the update_frequency choices of the schema (minus "").
var UpdateFrequencies = []string{"irregular", "continuous", "hourly", "daily", "weekly", "monthly", "quarterly",
	"semiannual", "annual", "biennial", "triennial", "notPlanned", "asNeeded", "quinquennial"}

// Languages are the language choices of the schema.
var Languages = []string{"FR", "SP", "FR_EN"}

// ResourceTypes are the resource_type choices of the schema; "file" and
// "file.upload" exist but publishers must not pick them.
var ResourceTypes = []string{"donnees", "support", "web", "cartes", "file", "file.upload"}

// RelidiYesNo are the choices of the relidi_confic_* and relidi_condon_* fields.
var RelidiYesNo = []string{"oui", "non", "n/a"}

// RelidiDescriptionChamps are the choices of relidi_description_champs.
var RelidiDescriptionChamps = []string{"relidi.descha.foudoc", "relidi.descha.foumet", "relidi.descha.absent"}

// RelidiFields are the resource fields with a oui/non/n/a answer.
var RelidiFields = []string{"relidi_confic_separateur_virgule", "relidi_confic_utf8", "relidi_confic_epsg",
	"relidi_confic_pascom", "relidi_condon_valinc", "relidi_condon_datheu", "relidi_condon_nombre", "relidi_condon_boolee"}

// ExtSpatial are geographic coverage values used on Données Québec.
var ExtSpatial = []string{"ville-blainville", "ville-gatineau", "ville-laval", "ville-longueuil", "ville-montreal",
	"ville-quebec", "ville-repentigny", "ville-rimouski", "ville-rouyn-noranda", "ville-saint-felicien",
	"ville-shawinigan", "ville-sherbrooke", "province-quebec", "cm-montreal", "autre"}

type license struct {
	id, title, url string
	open           bool
}

var dqLicenses = []license{
	{"cc-by", "Attribution (CC-BY 4.0)", "https://www.donneesquebec.ca/licence/#cc-by", true},
	{"CC0-1.0", "Domaine public (CC0 1.0)", "https://www.donneesquebec.ca/licence/#cc-0", true},
	{"cc-by-sa", "Attribution - Partage dans les mêmes conditions (CC BY-SA 4.0)", "https://creativecommons.org/licenses/by-sa/4.0/deed.fr", true},
	{"cc-by-nc", "Attribution - Pas d'utilisation commerciale (CC BY-NC 4.0)", "https://creativecommons.org/licenses/by-nc/4.0/deed.fr", false},
	{"cc-by-nd", "Attribution - Pas de modification (CC BY-ND 4.0)", "https://creativecommons.org/licenses/by-nd/4.0/deed.fr", false},
	{"OGL-Canada-2.0", "Licence du gouvernement ouvert - Canada", "https://ouvert.canada.ca/fr/licence-du-gouvernement-ouvert-canada", true},
}

// LicenseIDs are the licence ids the generated portal knows (license_list).
func LicenseIDs() []string {
	out := make([]string, len(dqLicenses))
	for i, l := range dqLicenses {
		out[i] = l.id
	}
	return out
}

type group struct{ name, title, id string }

// dqGroups are Données Québec's 12 categories (CKAN groups).
var dqGroups = []group{
	{"agriculture-alimentation", "Agriculture et alimentation", ""},
	{"economie-entreprises", "Économie et entreprises", ""},
	{"education-recherche", "Éducation et recherche", ""},
	{"environnement-ressources-naturelles-energie", "Environnement, ressources naturelles et énergie", ""},
	{"gouvernement-finances", "Gouvernement et finances", ""},
	{"infrastructures", "Infrastructures", ""},
	{"loi-justice-securite-publique", "Loi, justice et sécurité publique", ""},
	{"politiques-sociales", "Politiques sociales", ""},
	{"sante", "Santé", ""},
	{"societe-culture", "Société et culture", ""},
	{"tourisme-sports-loisirs", "Tourisme, sports et loisirs", ""},
	{"transport", "Transport", "2be1c718-4fdc-425f-b09e-263be63735a2"},
}

// GroupNames are the slugs of Données Québec's 12 categories.
func GroupNames() []string {
	out := make([]string, len(dqGroups))
	for i, g := range dqGroups {
		out[i] = g.name
	}
	return out
}

func groupID(g group) string {
	if g.id != "" {
		return g.id
	}
	return uuidFrom("group:" + g.name)
}

func groupDict(g group) map[string]any {
	return map[string]any{
		"id":                groupID(g),
		"name":              g.name,
		"title":             g.title,
		"display_name":      g.title,
		"description":       "",
		"image_display_url": "https://www.donneesquebec.ca/recherche/uploads/group/" + g.name + ".png",
	}
}

type orgSpec struct {
	name, title, principale, spatial, domain string
}

// dqOrgs are publishers modelled on Données Québec's organizations; the
// generator adds municipalities and agencies beyond them.
var dqOrgs = []orgSpec{
	{"ville-de-montreal", "Ville de Montréal", "ville-de-montreal", "ville-montreal", "montreal.ca"},
	{"ville-de-quebec", "Ville de Québec", "ville-de-quebec", "ville-quebec", "ville.quebec.qc.ca"},
	{"ville-de-laval", "Ville de Laval", "ville-de-laval", "ville-laval", "laval.ca"},
	{"ville-de-gatineau", "Ville de Gatineau", "ville-de-gatineau", "ville-gatineau", "gatineau.ca"},
	{"ville-de-sherbrooke", "Ville de Sherbrooke", "ville-de-sherbrooke", "ville-sherbrooke", "sherbrooke.ca"},
	{"ville-de-longueuil", "Ville de Longueuil", "ville-de-longueuil", "ville-longueuil", "longueuil.quebec"},
	{"institut-de-la-statistique-du-quebec", "Institut de la statistique du Québec", "gouvernement-du-quebec", "province-quebec", "stat.gouv.qc.ca"},
	{"ministere-des-transports", "Ministère des Transports et de la Mobilité durable", "gouvernement-du-quebec", "province-quebec", "transports.gouv.qc.ca"},
	{"ministere-de-l-environnement", "Ministère de l'Environnement, de la Lutte contre les changements climatiques, de la Faune et des Parcs", "gouvernement-du-quebec", "province-quebec", "environnement.gouv.qc.ca"},
	{"ministere-de-la-sante-et-des-services-sociaux", "Ministère de la Santé et des Services sociaux", "gouvernement-du-quebec", "province-quebec", "msss.gouv.qc.ca"},
	{"ministere-des-ressources-naturelles-et-des-forets", "Ministère des Ressources naturelles et des Forêts", "gouvernement-du-quebec", "province-quebec", "mrnf.gouv.qc.ca"},
	{"ministere-de-l-education", "Ministère de l'Éducation", "gouvernement-du-quebec", "province-quebec", "education.gouv.qc.ca"},
	{"ministere-de-l-agriculture-des-pecheries-et-de-l-alimentation", "Ministère de l'Agriculture, des Pêcheries et de l'Alimentation", "gouvernement-du-quebec", "province-quebec", "mapaq.gouv.qc.ca"},
	{"ministere-des-affaires-municipales-et-de-l-habitation", "Ministère des Affaires municipales et de l'Habitation", "gouvernement-du-quebec", "province-quebec", "mamh.gouv.qc.ca"},
	{"ministere-de-la-securite-publique", "Ministère de la Sécurité publique", "gouvernement-du-quebec", "province-quebec", "msp.gouv.qc.ca"},
	{"ministere-de-la-culture-et-des-communications", "Ministère de la Culture et des Communications", "gouvernement-du-quebec", "province-quebec", "mcc.gouv.qc.ca"},
	{"ministere-de-l-economie-de-l-innovation-et-de-l-energie", "Ministère de l'Économie, de l'Innovation et de l'Énergie", "gouvernement-du-quebec", "province-quebec", "economie.gouv.qc.ca"},
	{"societe-de-transport-de-montreal", "Société de transport de Montréal", "societe-de-transport-de-montreal", "ville-montreal", "stm.info"},
	{"reseau-de-transport-de-la-capitale", "Réseau de transport de la Capitale", "reseau-de-transport-de-la-capitale", "ville-quebec", "rtcquebec.ca"},
	{"communaute-metropolitaine-de-montreal", "Communauté métropolitaine de Montréal", "communaute-metropolitaine-de-montreal", "cm-montreal", "cmm.qc.ca"},
	{"ville-de-repentigny", "Ville de Repentigny", "ville-de-repentigny", "ville-repentigny", "repentigny.ca"},
	{"ville-de-rimouski", "Ville de Rimouski", "ville-de-rimouski", "ville-rimouski", "rimouski.ca"},
	{"ville-de-rouyn-noranda", "Ville de Rouyn-Noranda", "ville-de-rouyn-noranda", "ville-rouyn-noranda", "rouyn-noranda.ca"},
	{"ville-de-shawinigan", "Ville de Shawinigan", "ville-de-shawinigan", "ville-shawinigan", "shawinigan.ca"},
	{"ville-de-blainville", "Ville de Blainville", "ville-de-blainville", "ville-blainville", "blainville.ca"},
	{"ville-de-saint-felicien", "Ville de Saint-Félicien", "ville-de-saint-felicien", "ville-saint-felicien", "ville.stfelicien.qc.ca"},
	{"elections-quebec", "Élections Québec", "gouvernement-du-quebec", "province-quebec", "electionsquebec.qc.ca"},
	{"bibliotheque-et-archives-nationales-du-quebec", "Bibliothèque et Archives nationales du Québec", "gouvernement-du-quebec", "province-quebec", "banq.qc.ca"},
	{"hydro-quebec", "Hydro-Québec", "gouvernement-du-quebec", "province-quebec", "hydroquebec.com"},
}

// extraPlaces name the municipalities generated beyond dqOrgs.
var extraPlaces = []string{"Drummondville", "Granby", "Saint-Hyacinthe", "Trois-Rivières", "Lévis", "Saguenay",
	"Terrebonne", "Brossard", "Mirabel", "Joliette", "Victoriaville", "Magog", "Sorel-Tracy", "Val-d'Or", "Alma",
	"Sept-Îles", "Baie-Comeau", "Matane", "Gaspé", "Rivière-du-Loup", "Thetford Mines", "Saint-Georges",
	"Saint-Jérôme", "Boucherville", "Châteauguay", "Mascouche", "Vaudreuil-Dorion", "Beloeil", "Chambly",
	"Saint-Eustache", "Boisbriand", "Sainte-Julie", "Varennes", "Candiac", "La Prairie", "Mont-Tremblant",
	"Rosemère", "Cowansville", "Bromont", "Amos", "La Tuque", "Dolbeau-Mistassini", "Roberval", "Montmagny",
	"Sainte-Marie", "Lachute", "Kirkland", "Pointe-Claire", "Dorval", "Beaconsfield", "Dollard-Des Ormeaux",
	"Côte-Saint-Luc", "Westmount", "Mont-Royal", "Sainte-Thérèse", "Deux-Montagnes", "L'Assomption",
	"Saint-Constant", "Sainte-Catherine", "Coaticook", "Lac-Mégantic", "Nicolet", "Bécancour", "Louiseville",
	"Shannon", "Stoneham-et-Tewkesbury", "Lac-Beauport", "Sainte-Brigitte-de-Laval", "Saint-Augustin-de-Desmaures",
	"L'Ancienne-Lorette", "Pont-Rouge", "Donnacona", "Saint-Raymond", "Baie-Saint-Paul", "La Malbaie", "Forestville",
	"Port-Cartier", "Fermont", "Chibougamau", "Chapais", "Senneterre", "Malartic", "Ville-Marie", "Témiscaming",
	"Maniwaki", "Mont-Laurier", "Sainte-Agathe-des-Monts", "Saint-Sauveur", "Sainte-Adèle", "Prévost",
	"Saint-Colomban", "Saint-Lin–Laurentides", "Rawdon", "Berthierville", "Contrecoeur", "Acton Vale",
	"Farnham", "Waterloo", "Sutton", "Lac-Brome", "Stanstead", "Asbestos", "Windsor", "Richmond", "Plessisville",
	"Princeville", "Disraeli", "Beauceville", "Saint-Joseph-de-Beauce", "Lac-Etchemin", "Montmagny-Est",
	"Trois-Pistoles", "Amqui", "Causapscal", "Mont-Joli", "Sainte-Anne-des-Monts", "Chandler", "Percé",
	"New Richmond", "Carleton-sur-Mer", "Îles-de-la-Madeleine"}

type subject struct {
	title string
	group int    // index in dqGroups
	kind  string // tab, geo, doc, api, gtfs
	tags  []string
}

var subjects = []subject{
	{"Arbres publics", 3, "geo", []string{"Arbre", "Forêt urbaine", "Environnement"}},
	{"Collectes des matières résiduelles", 3, "geo", []string{"Collecte", "Recyclage", "Déchet"}},
	{"Permis de construction", 5, "tab", []string{"Permis", "Construction", "Bâtiment"}},
	{"Places de stationnement sur rue", 11, "geo", []string{"Stationnement", "Transport"}},
	{"Réseau cyclable", 11, "geo", []string{"Vélo", "Piste cyclable", "Mobilité"}},
	{"Qualité de l'eau potable", 8, "tab", []string{"Eau potable", "Qualité", "Santé"}},
	{"Limites administratives", 4, "geo", []string{"Limite administrative", "Arrondissement", "Territoire"}},
	{"Horaires du transport en commun", 11, "gtfs", []string{"GTFS", "Autobus", "Transport en commun"}},
	{"Budget de fonctionnement", 4, "tab", []string{"Budget", "Finances publiques"}},
	{"Contrats octroyés", 4, "tab", []string{"Contrat", "Approvisionnement", "Dépense"}},
	{"Interventions des pompiers", 6, "tab", []string{"Incendie", "Sécurité publique", "Intervention"}},
	{"Bornes de recharge pour véhicules électriques", 3, "geo", []string{"Borne de recharge", "Véhicule électrique", "Énergie"}},
	{"Parcs et espaces verts", 10, "geo", []string{"Parc", "Espace vert", "Loisir"}},
	{"Inspections des aliments", 0, "tab", []string{"Inspection", "Alimentation", "Restaurant"}},
	{"Rôle d'évaluation foncière", 4, "tab", []string{"Évaluation foncière", "Propriété", "Taxe"}},
	{"Élus municipaux", 4, "api", []string{"Élu", "Conseil municipal"}},
	{"Adresses civiques", 5, "geo", []string{"Adresse", "Géolocalisation"}},
	{"Bâtiments patrimoniaux", 9, "geo", []string{"Patrimoine", "Bâtiment", "Culture"}},
	{"Bibliothèques publiques", 9, "tab", []string{"Bibliothèque", "Culture"}},
	{"Opérations de déneigement", 5, "api", []string{"Déneigement", "Hiver", "Voirie"}},
	{"Entraves à la circulation", 11, "api", []string{"Travaux", "Circulation", "Chantier"}},
	{"Collisions routières", 6, "tab", []string{"Accident", "Sécurité routière", "Collision"}},
	{"Comptages de vélos", 11, "tab", []string{"Vélo", "Comptage", "Mobilité"}},
	{"Requêtes 311", 4, "tab", []string{"311", "Requête", "Service aux citoyens"}},
	{"Piscines et pataugeoires", 10, "geo", []string{"Piscine", "Loisir", "Sport"}},
	{"Population selon l'âge et le sexe", 7, "tab", []string{"Population", "Démographie", "Statistique"}},
	{"Naissances et décès", 8, "tab", []string{"Naissance", "Décès", "Démographie"}},
	{"Indicateurs de santé de la population", 8, "doc", []string{"Santé", "Indicateur"}},
	{"Établissements d'enseignement", 2, "geo", []string{"École", "Éducation", "Établissement"}},
	{"Données climatiques quotidiennes", 3, "api", []string{"Climat", "Météo", "Température"}},
	{"Réseau hydrographique", 3, "geo", []string{"Hydrographie", "Cours d'eau", "Lac"}},
	{"Zonage municipal", 5, "geo", []string{"Zonage", "Urbanisme", "Règlement"}},
	{"Subventions accordées", 1, "tab", []string{"Subvention", "Aide financière", "Entreprise"}},
	{"Registre des entreprises", 1, "tab", []string{"Entreprise", "Registre", "Économie"}},
	{"Production agricole", 0, "tab", []string{"Agriculture", "Production", "Ferme"}},
	{"Aires protégées", 3, "geo", []string{"Aire protégée", "Biodiversité", "Faune"}},
	{"Infractions au Code de la sécurité routière", 6, "tab", []string{"Infraction", "Sécurité routière", "Police"}},
	{"Logements sociaux et communautaires", 7, "tab", []string{"Logement", "Habitation", "Politique sociale"}},
	{"Lieux de culte", 9, "geo", []string{"Patrimoine religieux", "Culture"}},
	{"Événements publics", 10, "api", []string{"Événement", "Festival", "Loisir"}},
	{"Résultats électoraux", 4, "tab", []string{"Élection", "Vote", "Résultat"}},
	{"Consommation d'électricité", 3, "tab", []string{"Électricité", "Énergie", "Consommation"}},
	{"Ponts et viaducs", 5, "geo", []string{"Pont", "Infrastructure", "Structure"}},
	{"Lieux touristiques", 10, "geo", []string{"Tourisme", "Attrait", "Loisir"}},
	{"Guide de classification des documents", 4, "doc", []string{"Archives", "Gestion documentaire"}},
}

var notesLead = []string{
	"Ce jeu de données présente ", "Cet ensemble de données contient ", "Données ouvertes portant sur ",
	"Liste à jour de ", "Inventaire de ", "Ce fichier regroupe ",
}

var notesTail = []string{
	" Les données sont mises à jour selon la fréquence indiquée et peuvent contenir des valeurs manquantes.",
	" Chaque enregistrement comprend un identifiant unique, une date et des coordonnées géographiques (EPSG:4326).",
	" Les champs sont décrits dans le dictionnaire de données joint.",
	"\n\n**Limites** : certaines données antérieures à 2015 sont incomplètes.",
	" Pour toute question, communiquez avec le responsable indiqué.",
	" Les montants sont exprimés en dollars.",
}

var units = []string{"Direction générale des technologies de l'information", "Service des finances",
	"Service de l'urbanisme et de la mobilité", "Direction des données ouvertes", "Service de l'environnement",
	"Direction de la planification", "Service de la géomatique", "Bureau de la statistique"}
