package quality

import (
	"strings"

	"github.com/vigie-audit/vigie"
)

// MQAMax is the maximum of data.europa.eu's Metadata Quality Assessment.
const MQAMax = 405

// MQARating is piveau's rating band for a number of points: ≥351 excellent,
// ≥221 good, ≥120 sufficient, else bad (piveau's code rates 120 sufficient).
func MQARating(points int) vigie.Rating {
	switch {
	case points >= 351:
		return vigie.RatingExcellent
	case points >= 221:
		return vigie.RatingGood
	case points >= 120:
		return vigie.RatingSufficient
	}
	return vigie.RatingBad
}

// mqaIndicator is one of the 22 MQA indicators.
type mqaIndicator struct {
	id        string // piveau metric
	rule      string
	dim       string // MQA dimension
	points    int
	dist      bool // measured on a distribution (the best one counts)
	msg, hint vigie.Text
}

var mqaIndicators = []mqaIndicator{
	{"keywordAvailability", "MQA-KEYWORDS", "findability", 30, false,
		tx("Aucun mot-clé (dcat:keyword).", "No keyword (dcat:keyword)."), tx("Ajoutez des mots-clés.", "Add keywords.")},
	{"categoryAvailability", "MQA-CATEGORIES", "findability", 30, false,
		tx("Aucune catégorie (dcat:theme, groupes CKAN).", "No category (dcat:theme, CKAN groups)."), tx("Classez le jeu de données dans un groupe.", "Put the dataset in a group.")},
	{"spatialAvailability", "MQA-SPATIAL", "findability", 20, false,
		tx("Aucune couverture géographique (dct:spatial).", "No geographic coverage (dct:spatial)."), tx("Indiquez le territoire couvert.", "Give the territory covered.")},
	{"temporalAvailability", "MQA-TEMPORAL", "findability", 20, false,
		tx("Aucune couverture temporelle (dct:temporal).", "No temporal coverage (dct:temporal)."), tx("Indiquez la période couverte.", "Give the period covered.")},
	{"accessUrlStatusCode", "MQA-ACCESS-URL-STATUS", "accessibility", 50, true,
		tx("L'URL d'accès de la meilleure distribution n'a pas répondu 2xx (ou n'a pas été vérifiée).", "The best distribution's access URL did not answer 2xx (or was not checked)."),
		tx("Réparez le lien ou lancez « vigie links ».", "Fix the link or run \"vigie links\".")},
	{"downloadUrlAvailability", "MQA-DOWNLOAD-URL", "accessibility", 20, true,
		tx("Aucune URL de téléchargement direct (dcat:downloadURL).", "No direct download URL (dcat:downloadURL)."),
		tx("Pointez la ressource directement vers le fichier, ou remplissez download_url.", "Point the resource straight at the file, or fill in download_url.")},
	{"downloadUrlStatusCode", "MQA-DOWNLOAD-URL-STATUS", "accessibility", 30, true,
		tx("L'URL de téléchargement n'a pas répondu 2xx (ou n'a pas été vérifiée).", "The download URL did not answer 2xx (or was not checked)."),
		tx("Réparez le lien de téléchargement.", "Fix the download link.")},
	{"formatAvailability", "MQA-FORMAT", "interoperability", 20, true,
		tx("Format non indiqué (dct:format).", "No format (dct:format)."), tx("Indiquez le format de la ressource.", "Give the resource's format.")},
	{"mediaTypeAvailability", "MQA-MEDIA-TYPE", "interoperability", 10, true,
		tx("Type MIME non indiqué (dcat:mediaType).", "No media type (dcat:mediaType)."), tx("Renseignez le type MIME (mimetype) de la ressource.", "Fill in the resource's media type (mimetype).")},
	{"formatMediaTypeVocabularyAlignment", "MQA-FORMAT-VOCABULARY", "interoperability", 10, true,
		tx("Le format et le type MIME ne sont pas tous deux dans les vocabulaires de référence.", "Format and media type are not both from the reference vocabularies."),
		tx("Utilisez un nom de format usuel et un type MIME IANA.", "Use a usual format name and an IANA media type.")},
	{"formatMediaTypeNonProprietary", "MQA-NON-PROPRIETARY", "interoperability", 20, true,
		tx("Aucune distribution dans un format non propriétaire.", "No distribution in a non-proprietary format."), tx("Publiez en CSV, JSON, GeoJSON ou XML.", "Publish as CSV, JSON, GeoJSON or XML.")},
	{"formatMediaTypeMachineInterpretable", "MQA-MACHINE-READABLE", "interoperability", 20, true,
		tx("Aucune distribution dans un format lisible par machine.", "No distribution in a machine-readable format."), tx("Publiez en CSV, JSON, GeoJSON ou XML.", "Publish as CSV, JSON, GeoJSON or XML.")},
	{"dcatApCompliance", "MQA-DCAT-AP", "interoperability", 30, false,
		tx("Les propriétés obligatoires DCAT-AP manquent (titre, description, URL de chaque distribution).", "Mandatory DCAT-AP properties are missing (title, description, each distribution's URL)."),
		tx("Complétez le titre, la description et l'URL de chaque ressource.", "Fill in the title, the description and each resource's URL.")},
	{"licenceAvailability", "MQA-LICENCE", "reusability", 20, true,
		tx("Aucune licence (dct:license).", "No licence (dct:license)."), tx("Indiquez une licence.", "Give a licence.")},
	{"knownLicence", "MQA-LICENCE-VOCABULARY", "reusability", 10, true,
		tx("La licence n'est pas une licence connue.", "The licence is not a known licence."), tx("Utilisez une licence usuelle (CC-BY 4.0, CC0…).", "Use a common licence (CC-BY 4.0, CC0…).")},
	{"accessRightsAvailability", "MQA-ACCESS-RIGHTS", "reusability", 10, false,
		tx("Aucune condition d'accès (dct:accessRights).", "No access rights (dct:accessRights)."), tx("Indiquez le niveau d'accès (public).", "State the access level (public).")},
	{"accessRightsVocabularyAlignment", "MQA-ACCESS-RIGHTS-VOCABULARY", "reusability", 5, false,
		tx("Les conditions d'accès ne viennent pas du vocabulaire européen (PUBLIC, RESTRICTED, NON_PUBLIC).", "Access rights are not from the EU vocabulary (PUBLIC, RESTRICTED, NON_PUBLIC)."),
		tx("Utilisez une valeur du vocabulaire access-right.", "Use a value from the access-right vocabulary.")},
	{"contactPointAvailability", "MQA-CONTACT-POINT", "reusability", 20, false,
		tx("Aucun point de contact (dcat:contactPoint).", "No contact point (dcat:contactPoint)."), tx("Ajoutez un responsable et son courriel.", "Add a contact and its e-mail.")},
	{"publisherAvailability", "MQA-PUBLISHER", "reusability", 10, false,
		tx("Aucun éditeur (dct:publisher).", "No publisher (dct:publisher)."), tx("Rattachez le jeu de données à une organisation.", "Attach the dataset to an organization.")},
	{"rightsAvailability", "MQA-RIGHTS", "contextuality", 5, true,
		tx("Aucune mention de droits sur la distribution (dct:rights).", "No rights statement on the distribution (dct:rights)."), tx("Renseignez le champ rights de la ressource.", "Fill in the resource's rights field.")},
	{"byteSizeAvailability", "MQA-BYTE-SIZE", "contextuality", 5, true,
		tx("Taille du fichier non indiquée (dcat:byteSize).", "No file size (dcat:byteSize)."), tx("Renseignez la taille de la ressource.", "Fill in the resource's size.")},
	{"dateIssuedAvailability", "MQA-ISSUED", "contextuality", 5, true,
		tx("Aucune date de publication (dct:issued).", "No issue date (dct:issued)."), tx("Le portail renseigne normalement cette date ; vérifiez la ressource.", "The portal normally fills this date; check the resource.")},
	{"dateModifiedAvailability", "MQA-MODIFIED", "contextuality", 5, true,
		tx("Aucune date de modification (dct:modified).", "No modification date (dct:modified)."), tx("Le portail renseigne normalement cette date ; vérifiez la ressource.", "The portal normally fills this date; check the resource.")},
}

var accessRightsCodes = setOf("PUBLIC", "RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "NORMAL", "SENSITIVE")

func (r *run) firstExtra(keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(r.d.Extra(k)); v != "" && v != "[]" && v != "{}" && v != "null" {
			return v
		}
	}
	return ""
}

// mqaDataset measures one dataset-level indicator.
func (r *run) mqaDataset(id string) bool {
	d := r.d
	switch id {
	case "keywordAvailability":
		for _, t := range d.Tags {
			if !blank(t) {
				return true
			}
		}
		return r.firstExtra("keywords") != ""
	case "categoryAvailability":
		for _, g := range d.Groups {
			if !blank(g) {
				return true
			}
		}
		return r.firstExtra("theme", "themes", "subject", "topic_category", "theme-primary") != ""
	case "spatialAvailability":
		return r.firstExtra("spatial", "ext_spatial", "spatial_uri", "spatial_text", "spatial_coverage", "geographic_region", "geocodingText", "bbox-east-long") != ""
	case "temporalAvailability":
		return r.firstExtra("temporal", "temporals", "temporal_start", "temporal_end", "temporal_coverage_from", "temporal_coverage-from",
			"temporal_coverage_to", "time_period_coverage_start") != ""
	case "dcatApCompliance":
		if blank(d.Title) || blank(d.Notes) {
			return false
		}
		for i := range d.Resources {
			if blank(d.Resources[i].URL) {
				return false
			}
		}
		return true
	case "accessRightsAvailability":
		return r.firstExtra("access_rights", "accessRights", "inv_access_level", "access_constraints") != ""
	case "accessRightsVocabularyAlignment":
		v := r.firstExtra("access_rights", "accessRights", "inv_access_level", "access_constraints")
		if i := strings.LastIndex(v, "/access-right/"); i >= 0 {
			v = v[i+len("/access-right/"):]
		}
		return accessRightsCodes[strings.ToUpper(v)]
	case "contactPointAvailability":
		return !blank(d.MaintainerEmail) || !blank(d.AuthorEmail) || !blank(d.Maintainer) || !blank(d.Author) ||
			r.firstExtra("contact_email", "contact_name", "contact_point", "contact_points", "contact-email", "maintainer_contact_form") != ""
	case "publisherAvailability":
		return !blank(d.Organization) || r.firstExtra("publisher_name", "publisher_uri", "publishers") != ""
	}
	return false
}

// downloadURL is the distribution's dcat:downloadURL as vigie maps it: the
// download_url field when set, else the resource URL when it is a file
// (uploaded, or its URL or format names a file format rather than a page or
// a service).
func downloadURL(x *vigie.Resource, ri *resInfo) string {
	if v := strings.TrimSpace(x.Extras["download_url"]); v != "" {
		return v
	}
	u := strings.TrimSpace(x.URL)
	if u == "" {
		return ""
	}
	if x.URLType == "upload" || ri.urlFmt != "" && ri.urlFmt != "HTML" {
		return u
	}
	switch strings.ToLower(x.ResourceType) {
	case "web", "cartes", "carte", "api":
		return ""
	}
	f := ri.format
	if s, ok := formatStars[f]; ok && s > 0 && !serviceFormats[f] {
		return u
	}
	return ""
}

var serviceFormats = setOf("WMS", "WFS", "WCS", "WMTS", "ESRI REST", "REST", "ARCGIS MAP SERVICE", "ARCGIS MAP PREVIEW", "ARCGIS ONLINE MAP", "SPARQL", "API", "WEB")

func status2xx(lr *vigie.LinkResult) bool { return lr != nil && lr.Status >= 200 && lr.Status <= 299 }

// urlOK is the MQA's URL status test on a link check: 200–299 from the
// request that decided it (HEAD, else the GET fallback), or from the HEAD
// request alone under the profile's head_only reading (piveau's).
func (r *run) urlOK(lr *vigie.LinkResult) bool {
	if r.p.MQAAccessURL == MQAHeadOnly {
		return lr != nil && lr.HeadStatus >= 200 && lr.HeadStatus <= 299
	}
	return status2xx(lr)
}

// mqaDistribution measures one distribution-level indicator.
func (r *run) mqaDistribution(id string, x *vigie.Resource, ri *resInfo, du string) bool {
	f, m := ri.format, ri.mime
	switch id {
	case "accessUrlStatusCode":
		return r.urlOK(ri.lr())
	case "downloadUrlAvailability":
		return du != ""
	case "downloadUrlStatusCode":
		if du == "" {
			return false
		}
		if du == x.URL {
			return r.urlOK(ri.lr())
		}
		lr, ok := r.links[du]
		return ok && r.urlOK(&lr)
	case "formatAvailability":
		return f != ""
	case "mediaTypeAvailability":
		return strings.TrimSpace(x.Mimetype) != ""
	case "formatMediaTypeVocabularyAlignment":
		return KnownFormat(f) && strings.Contains(x.Mimetype, "/") && KnownFormat(m)
	case "formatMediaTypeNonProprietary":
		return NonProprietary(f) || NonProprietary(m)
	case "formatMediaTypeMachineInterpretable":
		return MachineReadable(f) || MachineReadable(m)
	case "licenceAvailability":
		return licenceGiven(r.d.LicenseID) || licenceGiven(x.Extras["license"])
	case "knownLicence":
		id := r.d.LicenseID
		if !licenceGiven(id) {
			id = x.Extras["license"]
		}
		if !licenceGiven(id) {
			return false
		}
		if _, ok := portalLicence(r.env.Licences, strings.TrimSpace(id)); ok {
			return true
		}
		return odReg.canonical(strings.TrimSpace(id), "", "") != ""
	case "rightsAvailability":
		return !blank(x.Extras["rights"])
	case "byteSizeAvailability":
		return x.Size != nil && *x.Size > 0 || !blank(x.Extras["byte_size"]) && x.Extras["byte_size"] != "0" || !blank(x.Extras["taille_entier"])
	case "dateIssuedAvailability":
		return x.Created != nil && !x.Created.IsZero() || !blank(x.Extras["issued"])
	case "dateModifiedAvailability":
		return x.LastModified != nil && !x.LastModified.IsZero() || !blank(x.Extras["modified"])
	}
	return false
}

// mqa scores the dataset with the 22 MQA indicators: dataset-level ones
// plus the single best-scoring distribution; dct:issued and dct:modified at
// dataset level count only when that distribution did not score them.
func (r *run) mqa() vigie.MQA {
	bestSum, bestI := -1, -1
	var bestHit uint32 // bit i set: indicator i earned by the best distribution
	for i := range r.d.Resources {
		x := &r.d.Resources[i]
		ri := &r.res[i]
		du := downloadURL(x, ri)
		var hit uint32
		sum := 0
		for k := range mqaIndicators {
			ind := &mqaIndicators[k]
			if ind.dist && r.mqaDistribution(ind.id, x, ri, du) {
				hit |= 1 << k
				sum += ind.points
			}
		}
		if sum > bestSum {
			bestSum, bestI, bestHit = sum, i, hit
		}
	}
	points := 0
	var missed []int
	for k := range mqaIndicators {
		ind := &mqaIndicators[k]
		ok := false
		if ind.dist {
			ok = bestHit&(1<<k) != 0
			if !ok && ind.id == "dateIssuedAvailability" {
				ok = !r.d.MetadataCreated.IsZero() || r.firstExtra("issued") != ""
			}
			if !ok && ind.id == "dateModifiedAvailability" {
				ok = !r.d.MetadataModified.IsZero() || r.firstExtra("modified") != ""
			}
		} else {
			ok = r.mqaDataset(ind.id)
		}
		if ok {
			points += ind.points
		} else if r.p.MQAFindings {
			missed = append(missed, k)
		}
	}
	if r.p.MQAFindings {
		resID := ""
		if bestI >= 0 {
			resID = r.d.Resources[bestI].ID
		}
		for _, k := range missed {
			ind := &mqaIndicators[k]
			f := vigie.Finding{Rule: ind.rule, Dimension: vigie.DimMQA, Severity: vigie.SevWarning, Points: float64(ind.points), Message: ind.msg, Hint: ind.hint}
			if ind.dist {
				f.ResourceID = resID
			}
			if ind.points >= 30 {
				f.Severity = vigie.SevError
			}
			r.add(f)
		}
	}
	return vigie.MQA{Points: points, Rating: MQARating(points)}
}

// licenceGiven reports whether a licence id names a licence ("notspecified"
// says there is none).
func licenceGiven(id string) bool {
	id = strings.ToLower(strings.TrimSpace(id))
	return id != "" && id != "notspecified" && id != "not-specified"
}
