package quality

import (
	"math"
	"strings"

	"github.com/vigie-audit/vigie"
)

// ResourceStars is how ckanext-qa rates one resource, before the licence.
type ResourceStars struct {
	Stars  int
	Format string // normalised format used ("" when none was understood)
	Source string // format, url, content_type, content (a landing page), none, broken
}

// StarsOf rates a resource from its declared format, else its URL's
// extension, else the content type the link checker saw; 0 when the link is
// broken; 1 when the format is not understood.
func StarsOf(x *vigie.Resource, lr *vigie.LinkResult) ResourceStars {
	uf, _ := urlFormat(x.URL)
	return starsOf(strings.TrimSpace(x.URL) == "", NormalizeFormat(x.Format), uf, lr)
}

func starsOf(noURL bool, format, urlFmt string, lr *vigie.LinkResult) ResourceStars {
	if noURL {
		// Nothing can be downloaded, whatever the declared format says.
		return ResourceStars{Stars: 0, Source: "no_url"}
	}
	if lr != nil && (lr.Class == vigie.LinkBroken || lr.Class == vigie.LinkInvalid) {
		return ResourceStars{Stars: 0, Source: "broken"}
	}
	if lr != nil && lr.Class == vigie.LinkOK && lr.LandingPage {
		// The link checker saw an HTML page where data was declared: like
		// ckanext-qa's sniffing, the content wins over the declared format.
		return ResourceStars{Stars: 0, Format: "HTML", Source: "content"}
	}
	if f := format; f != "" {
		if s, ok := formatStars[f]; ok {
			return ResourceStars{Stars: s, Format: f, Source: "format"}
		}
	}
	if f := urlFmt; f != "" {
		if s, ok := formatStars[f]; ok {
			return ResourceStars{Stars: s, Format: f, Source: "url"}
		}
		return ResourceStars{Stars: 1, Format: f, Source: "url"}
	}
	if lr != nil {
		if f := contentTypeFormat(lr.ContentType); f != "" {
			if s, ok := formatStars[f]; ok {
				return ResourceStars{Stars: s, Format: f, Source: "content_type"}
			}
		}
	}
	return ResourceStars{Stars: 1, Format: format, Source: "none"}
}

// licence is the dataset's licence, else (DCAT-AP portals put it on the
// distributions) the first licence its resources give.
func (r *run) licence() string {
	if licenceGiven(r.d.LicenseID) {
		return r.d.LicenseID
	}
	for i := range r.d.Resources {
		if l := strings.TrimSpace(r.d.Resources[i].Extras["license"]); licenceGiven(l) {
			return l
		}
	}
	return r.d.LicenseID
}

// openLicence is the licence openness judges: licence(), else, when the
// dataset gives no licence field at all, the first resource rights
// statement that names a licence or terms vigie knows (opendata.swiss puts
// its terms of use in dct:rights). An explicit "notspecified" is kept.
func (r *run) openLicence() string {
	l := r.licence()
	if licenceGiven(l) || strings.TrimSpace(r.d.LicenseID) != "" {
		return l
	}
	for i := range r.d.Resources {
		if x := strings.TrimSpace(r.d.Resources[i].Extras["rights"]); x != "" && KnownLicence(x) {
			return x
		}
	}
	return l
}

// openness gives the dataset its best resource's stars (0 when the licence
// is not open) and sets the open-format and machine-readable flags.
func (r *run) openness() opt {
	a := r.out
	lic := r.openLicence()
	isopen, title, url := r.d.IsOpen, r.d.LicenseTitle, r.d.LicenseURL
	if lic != r.d.LicenseID {
		// CKAN's verdict and title are about the dataset's (missing) licence
		isopen, title, url = nil, "", ""
	}
	v := JudgeLicence(lic, title, url, isopen, r.env.Licences)
	a.OpenLicence, a.LicenceStatus, a.LicenceBy = v.Open(), v.Status, v.By
	best, bestI := -1, -1
	var bestRS ResourceStars
	for i := range r.d.Resources {
		ri := &r.res[i]
		rs := starsOf(ri.noURL, ri.format, ri.urlFmt, ri.lr())
		if f, mime, ok := servedOrDeclared(rs, ri); ok {
			if NonProprietary(f) || NonProprietary(mime) {
				a.OpenFormat = true
			}
			if MachineReadable(f) || MachineReadable(mime) {
				a.MachineReadable = true
			}
		}
		if rs.Stars > best {
			best, bestI, bestRS = rs.Stars, i, rs
		}
	}
	table := r.p.Openness.ScoreByStars
	if len(table) != 6 {
		table = []float64{0, 20, 40, 60, 80, 100}
	}
	lost := func(stars int, rule string, sevr vigie.Severity, resID string, msg, hint vigie.Text) opt {
		a.Stars = stars
		v := table[stars]
		cents := int(math.Round((100 - v) * 100))
		if cents > 0 {
			if sevr == vigie.SevInfo {
				sevr = vigie.SevWarning // a finding that costs points is never a mere note
			}
			r.add(vigie.Finding{Rule: rule, Dimension: vigie.DimOpenness, Severity: sevr, ResourceID: resID, Points: float64(cents) / 100, Message: msg, Hint: hint})
		}
		return fromCents(10000 - cents)
	}
	switch {
	case len(r.d.Resources) == 0:
		return lost(0, "OPEN-NO-RESOURCE", vigie.SevError, "",
			tx("Aucune ressource : rien n'est disponible sur le Web (0 étoile).", "No resources: nothing is available on the Web (0 stars)."),
			tx("Publiez les données dans une ressource.", "Publish the data in a resource."))
	case v.Status == vigie.LicenceMissing:
		return lost(0, "OPEN-LICENCE-MISSING", vigie.SevError, "",
			tx("Aucune licence n'est indiquée : les données ne sont pas ouvertes (0 étoile).", "No licence is given: the data are not open (0 stars)."),
			tx("Publiez les données sous une licence ouverte (CC-BY 4.0, CC0…).", "Publish the data under an open licence (CC-BY 4.0, CC0…)."))
	case v.Status == vigie.LicenceNotOpen:
		return lost(0, "OPEN-LICENCE-NOT-OPEN", vigie.SevError, "",
			tx("La licence « %s » n'est pas ouverte au sens de l'Open Definition (0 étoile).", "Licence %q is not open per the Open Definition (0 stars).", lic),
			tx("Retirez les restrictions (pas d'utilisation commerciale, pas de modification) : choisissez CC-BY 4.0 ou CC0.", "Drop the restrictions (non-commercial, no derivatives): choose CC-BY 4.0 or CC0."))
	case v.Status == vigie.LicenceUnknown:
		// Nothing decides: openness is unknown, not 0, and the publisher is
		// told how to make it known.
		a.Stars = 0
		r.add(vigie.Finding{Rule: "OPEN-LICENCE-UNKNOWN", Dimension: vigie.DimOpenness, Severity: vigie.SevWarning,
			Message: tx("Ni la liste des licences du portail ni le registre de l'Open Definition ne disent si la licence « %s » est ouverte : l'ouverture des données ne peut pas être évaluée.",
				"Neither the portal's licence list nor the Open Definition register says whether licence %q is open: the data's openness cannot be assessed.", lic),
			Hint: tx("Choisissez une licence ouverte reconnue (CC-BY 4.0, CC0, ODbL, licence du gouvernement ouvert…) ou, si c'en est une, faites-la déclarer conforme à l'Open Definition (od_conformance « approved ») dans la liste des licences du portail, avec son adresse.",
				"Choose a recognised open licence (CC-BY 4.0, CC0, ODbL, an open government licence…) or, if it is one, have the portal's licence list declare it Open Definition conformant (od_conformance \"approved\"), with its URL.")})
		return none
	}
	x := &r.d.Resources[bestI]
	switch {
	case bestRS.Source == "no_url":
		return lost(0, "OPEN-NO-URL", vigie.SevError, x.ID,
			tx("Aucune ressource n'a d'URL : rien ne peut être téléchargé (0 étoile).", "No resource has a URL: nothing can be downloaded (0 stars)."),
			tx("Donnez à chaque ressource l'adresse complète de son fichier.", "Give each resource the full address of its file."))
	case bestRS.Source == "broken":
		return lost(0, "OPEN-LINK-BROKEN", vigie.SevError, x.ID,
			tx("Aucune ressource n'est accessible : tous les liens sont rompus (0 étoile).", "No resource can be reached: every link is broken (0 stars)."),
			tx("Réparez les liens des ressources.", "Fix the resources' links."))
	case best == 0:
		return lost(0, "OPEN-NOT-DATA", vigie.SevError, x.ID,
			tx("Les ressources pointent vers des pages web (%s), pas vers des données (0 étoile).", "The resources point to web pages (%s), not to data (0 stars).", bestRS.Format),
			tx("Ajoutez un lien direct vers le fichier de données (CSV, JSON…).", "Add a direct link to the data file (CSV, JSON…)."))
	case best < 3:
		return lost(best, "OPEN-FORMAT-STARS", vigie.SevWarning, x.ID,
			countText(best,
				"Meilleure ressource : « "+resLabel(x)+" » en "+fmtOr(bestRS.Format)+", 1 étoile sur 5.",
				"Meilleure ressource : « "+resLabel(x)+" » en "+fmtOr(bestRS.Format)+", %d étoiles sur 5.",
				"Best resource: \""+resLabel(x)+"\" in "+fmtOr(bestRS.Format)+", 1 star out of 5.",
				"Best resource: \""+resLabel(x)+"\" in "+fmtOr(bestRS.Format)+", %d stars out of 5."),
			tx("Publiez aussi les données dans un format ouvert et structuré (CSV, JSON, GeoJSON) pour atteindre 3 étoiles.", "Also publish the data in an open, structured format (CSV, JSON, GeoJSON) to reach 3 stars."))
	case best < 5:
		return lost(best, "OPEN-NOT-LINKED", vigie.SevInfo, x.ID,
			tx("Meilleure ressource : « %s » en %s, %d étoiles sur 5 ; les 4e et 5e étoiles demandent des données liées (RDF).", "Best resource: %q in %s, %d stars out of 5; the 4th and 5th stars need linked data (RDF).", resLabel(x), fmtOr(bestRS.Format), best),
			tx("Pour aller plus loin, publiez une version RDF (JSON-LD, Turtle) qui utilise des URI et renvoie à d'autres données.", "To go further, publish an RDF version (JSON-LD, Turtle) that uses URIs and links to other data."))
	}
	a.Stars = best
	return fromCents(10000)
}

func fmtOr(f string) string {
	if f == "" {
		return "?"
	}
	return f
}

// servedOrDeclared is the format (and media type) the open-format and
// machine-readable flags judge a resource by: what the server served when
// the link was checked and worked, the declared format and mimetype when it
// was not checked or the served Content-Type names no format (octet-stream,
// text/plain, an archive). ok is false when the resource counts for neither:
// no URL, a broken or invalid link, or an HTML page where data was declared.
func servedOrDeclared(rs ResourceStars, ri *resInfo) (format, mime string, ok bool) {
	switch rs.Source {
	case "no_url", "broken":
		return "", "", false
	}
	lr := ri.lr()
	if lr == nil || lr.Class != vigie.LinkOK {
		return rs.Format, ri.mime, true
	}
	if lr.LandingPage {
		return "", "", false
	}
	switch f := contentTypeFormat(lr.ContentType); f {
	case "", "TXT", "ZIP", "GZIP":
		return rs.Format, ri.mime, true
	default:
		return f, "", true
	}
}

// servedHTML reports a link that served an HTML page when it was checked.
func servedHTML(lr *vigie.LinkResult) bool {
	return lr.LandingPage || contentTypeFormat(lr.ContentType) == "HTML"
}
