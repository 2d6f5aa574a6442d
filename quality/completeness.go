package quality

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
)

// loss is a failed check before its points are scaled to the dimension.
type loss struct {
	code  string
	sev   vigie.Severity
	res   string
	frac  float64 // share of the check's points (for one resource) lost
	msg   vigie.Text
	hint  vigie.Text
	share float64 // set by the engine: the check's points for this resource
}

type datasetCheck func(r *run, c Check) (applicable bool, ls []loss)
type resourceCheck func(r *run, c Check, x *vigie.Resource, ri *resInfo) (applicable bool, ls []loss)

type checkDef struct {
	dataset  datasetCheck
	resource resourceCheck
}

// checks is the catalogue of completeness checks a profile can use.
var checks = map[string]checkDef{
	"title":            {dataset: checkTitle},
	"description":      {dataset: checkDescription},
	"keywords":         {dataset: checkKeywords},
	"licence":          {dataset: checkLicence},
	"publisher":        {dataset: checkPublisher},
	"author":           {dataset: checkAuthor},
	"author_email":     {dataset: checkAuthorEmail},
	"contact":          {dataset: checkContact},
	"update_frequency": {dataset: checkUpdateFrequency},
	"frequency":        {dataset: checkFrequency},
	"language":         {dataset: checkLanguage},
	"ext_spatial":      {dataset: checkExtSpatial},
	"temporal":         {dataset: checkTemporal},
	"methodologie":     {dataset: checkMethodology},
	"category":         {dataset: checkCategory},
	"resources":        {dataset: checkResources},
	"data_resource":    {dataset: checkDataResource},
	"res_name":         {resource: checkResName},
	"res_description":  {resource: checkResDescription},
	"res_format":       {resource: checkResFormat},
	"res_format_case":  {resource: checkResFormatCase},
	"res_type":         {resource: checkResType},
	"res_relidi":       {resource: checkResRelidi},
	"res_compression":  {resource: checkResCompression},
	"res_url":          {resource: checkResURL},
}

// CheckNames lists the completeness checks a profile may use.
func CheckNames() []string {
	out := make([]string, 0, len(checks))
	for k := range checks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// completeness runs the profile's checks. Each applicable check is worth its
// points; a resource check's points are shared equally by the resources it
// applies to. Points are then scaled so the applicable checks total 100, and
// each finding carries exactly the scaled points it cost.
func (r *run) completeness() opt {
	var total float64
	all := r.losses[:0]
	defer func() { r.losses = all[:0] }()
	resolved := len(r.p.defs) == len(r.p.Completeness)
	for ci, c := range r.p.Completeness {
		var def checkDef
		if resolved {
			def = r.p.defs[ci]
		} else {
			def = checks[c.Check]
		}
		if def.dataset == nil && def.resource == nil {
			continue // unknown check in a profile that skipped ParseProfile
		}
		if def.dataset != nil {
			ok, ls := def.dataset(r, c)
			if !ok {
				continue
			}
			total += c.Points
			for _, l := range ls {
				l.share = c.Points
				all = append(all, l)
			}
			continue
		}
		applicable := 0
		start := len(all)
		for i := range r.d.Resources {
			ok, ls := def.resource(r, c, &r.d.Resources[i], &r.res[i])
			if !ok {
				continue
			}
			applicable++
			for _, l := range ls {
				l.res = r.d.Resources[i].ID
				all = append(all, l)
			}
		}
		if applicable == 0 {
			continue
		}
		total += c.Points
		share := c.Points / float64(applicable)
		for j := start; j < len(all); j++ {
			all[j].share = share
		}
	}
	if total == 0 {
		return none
	}
	scale := 100 / total
	raw := make([]float64, len(all))
	for i, l := range all {
		raw[i] = l.share * l.frac * scale
	}
	cents := apportion(raw)
	legacy := !r.p.legacy.IsZero() && !r.d.MetadataCreated.IsZero() && r.d.MetadataCreated.Before(r.p.legacy)
	lost, softened := 0, 0
	for i, l := range all {
		if cents[i] <= 0 {
			continue
		}
		lost += cents[i]
		sv := l.sev
		if legacy && sv == vigie.SevError {
			sv = vigie.SevWarning
			softened++
		}
		r.add(vigie.Finding{Rule: l.code, Dimension: vigie.DimCompleteness, Severity: sv, ResourceID: l.res, Points: float64(cents[i]) / 100, Message: l.msg, Hint: l.hint})
	}
	if softened > 0 {
		d := r.p.legacy.Format("2006-01-02")
		r.add(vigie.Finding{Rule: r.code("LEGACY"), Dimension: vigie.DimCompleteness, Severity: vigie.SevInfo,
			Message: vigie.Text{FR: "Jeu de données créé avant le " + d + " : ses écarts sont signalés comme avertissements (mêmes points), les lignes directrices visant d'abord les jeux publiés depuis.",
				EN: "Dataset created before " + d + ": its gaps are reported as warnings (same points), the guidelines applying first to datasets published since."},
			Hint: tx("Profitez d'une mise à jour pour le rendre conforme.", "Use its next update to bring it into line.")})
	}
	return fromCents(10000 - lost)
}

func (r *run) code(suffix string) string { return r.p.CodePrefix + "-" + suffix }

func sev(c Check, def vigie.Severity) vigie.Severity {
	switch c.Severity {
	case vigie.SevError, vigie.SevWarning:
		return c.Severity
	}
	return def
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// one reports an applicable check with one loss, in a scratch slice the
// engine copies before the next check runs.
func (r *run) one(l loss) (bool, []loss) {
	r.tmp = append(r.tmp[:0], l)
	return true, r.tmp
}

func checkTitle(r *run, c Check) (bool, []loss) {
	if !blank(r.d.Title) {
		return true, nil
	}
	return r.one(loss{code: r.code("TITLE-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("Le jeu de données n'a pas de titre.", "The dataset has no title."),
		hint: tx("Donnez-lui un titre court et parlant, qui dit ce que contiennent les données.", "Give it a short, meaningful title that says what the data contain.")})
}

func checkDescription(r *run, c Check) (bool, []loss) {
	n := utf8.RuneCountInString(strings.TrimSpace(r.d.Notes))
	switch {
	case n == 0:
		return r.one(loss{code: r.code("DESCRIPTION-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("Le jeu de données n'a pas de description.", "The dataset has no description."),
			hint: tx("Rédigez une description : ce que contiennent les données, leur provenance, leur couverture et leurs limites.", "Write a description: what the data contain, where they come from, what they cover and their limits.")})
	case c.MinLength > 0 && n < c.MinLength:
		return r.one(loss{code: r.code("DESCRIPTION-SHORT"), sev: sev(c, vigie.SevWarning), frac: 0.5,
			msg: vigie.Text{
				FR: "La description est très courte (" + nWords(n, false, "caractère", "caractères") + ", moins de " + itoa(c.MinLength) + ").",
				EN: "The description is very short (" + nWords(n, true, "character", "characters") + ", fewer than " + itoa(c.MinLength) + ")."},
			hint: tx("Étoffez la description : contenu, provenance, couverture, limites.", "Expand the description: content, source, coverage, limits.")})
	}
	return true, nil
}

func checkKeywords(r *run, c Check) (bool, []loss) {
	for _, t := range r.d.Tags {
		if !blank(t) {
			return true, nil
		}
	}
	return r.one(loss{code: r.code("KEYWORDS-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("Le jeu de données n'a aucun mot-clé.", "The dataset has no keywords."),
		hint: tx("Ajoutez quelques mots-clés au singulier, avec accents et majuscule initiale, pour qu'on le trouve.", "Add a few keywords (singular, with accents, capitalised) so people can find it.")})
}

func checkLicence(r *run, c Check) (bool, []loss) {
	id := strings.TrimSpace(r.licence())
	if !licenceGiven(id) {
		return r.one(loss{code: r.code("LICENCE-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("Aucune licence n'est indiquée.", "No licence is given."),
			hint: r.licenceHint()})
	}
	if len(r.p.Vocabularies.Licences) > 0 && !inFold(r.p.Vocabularies.Licences, id) {
		return r.one(loss{code: r.code("LICENCE-NOT-ALLOWED"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La licence « %s » ne fait pas partie de la liste admise.", "Licence %q is not in the allowed list.", id),
			hint: tx("Utilisez une licence de la liste (%s).", "Use a licence from the list (%s).", strings.Join(r.p.Vocabularies.Licences, ", "))})
	}
	return true, nil
}

func checkPublisher(r *run, c Check) (bool, []loss) {
	if !blank(r.d.Organization) {
		return true, nil
	}
	return r.one(loss{code: r.code("PUBLISHER-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("Aucune organisation éditrice n'est rattachée au jeu de données.", "No publishing organization is attached to the dataset."),
		hint: tx("Rattachez le jeu de données à l'organisation qui le diffuse.", "Attach the dataset to the organization that publishes it.")})
}

func checkAuthor(r *run, c Check) (bool, []loss) {
	if !blank(r.d.Author) {
		return true, nil
	}
	return r.one(loss{code: r.code("AUTHOR-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("Le champ Responsable (author) est vide.", "The responsible unit (author) is empty."),
		hint: tx("Indiquez l'unité responsable de la création et de la mise à jour des données.", "Name the unit responsible for creating and updating the data.")})
}

func checkAuthorEmail(r *run, c Check) (bool, []loss) {
	e := strings.TrimSpace(r.d.AuthorEmail)
	if e == "" {
		return r.one(loss{code: r.code("EMAIL-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
			msg:  tx("Aucun courriel de contact (author_email) n'est indiqué.", "No contact e-mail (author_email) is given."),
			hint: tx("Ajoutez une adresse courriel générique où poser des questions sur les données.", "Add a generic e-mail address for questions about the data.")})
	}
	if !validEmail(e) {
		return r.one(loss{code: r.code("EMAIL-INVALID"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("Le courriel de contact « %s » n'est pas une adresse valide.", "Contact e-mail %q is not a valid address.", e),
			hint: tx("Corrigez l'adresse (forme nom@domaine.ca, sans nom affiché).", "Fix the address (name@domain.ca, no display name).")})
	}
	return true, nil
}

// licenceHint is the profile's fix for a missing licence, or a neutral one.
func (r *run) licenceHint() vigie.Text {
	if r.p.LicenceHint.FR != "" || r.p.LicenceHint.EN != "" {
		return r.p.LicenceHint
	}
	return tx("Choisissez une licence ouverte, par exemple CC-BY 4.0 ou CC0 1.0.", "Choose an open licence, for example CC-BY 4.0 or CC0 1.0.")
}

// contactFields are where portals put a contact, after maintainer_email
// and author_email: DCAT-AP and ckanext-dcat (contact_email, contact_point,
// contactPoint with hasEmail), opendata.swiss (contact_points), the older
// data.gov.uk (contact-email), ckanext-scheming variants.
var contactFields = []string{"contact_email", "contact-email", "contactEmail", "contact_point", "contact_points", "contactPoint",
	"contact_point_email", "point_of_contact_email", "maintainer-email", "author-email", "email"}

// ContactEmails lists the contact e-mail addresses a dataset declares, in
// the order contactFields gives (maintainer_email and author_email first),
// "mailto:" dropped. Structured values (a JSON list or object, as DCAT
// contact points are) are searched for email, hasEmail or mbox keys.
func ContactEmails(d *vigie.Dataset) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
			s = strings.TrimSpace(s[7:])
		}
		if s != "" && len(out) < 16 {
			out = append(out, s)
		}
	}
	add(d.MaintainerEmail)
	add(d.AuthorEmail)
	for _, k := range contactFields {
		v := strings.TrimSpace(d.Extra(k))
		if v == "" {
			continue
		}
		if v[0] == '[' || v[0] == '{' {
			var x any
			if json.Unmarshal([]byte(v), &x) == nil {
				walkEmails(x, 0, add)
			}
			continue
		}
		add(v)
	}
	return out
}

// walkEmails calls add with every email, hasEmail, has_email or mbox value
// of a decoded JSON value, a few levels deep.
func walkEmails(x any, depth int, add func(string)) {
	if depth > 4 {
		return
	}
	switch v := x.(type) {
	case []any:
		for _, e := range v {
			walkEmails(e, depth+1, add)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch strings.ToLower(k) {
			case "email", "hasemail", "has_email", "mbox", "vcard:hasemail":
				if s, ok := v[k].(string); ok {
					add(s)
					continue
				}
			}
			walkEmails(v[k], depth+1, add)
		}
	}
}

func checkContact(r *run, c Check) (bool, []loss) {
	emails := ContactEmails(r.d)
	for _, e := range emails {
		if validEmail(e) {
			return true, nil
		}
	}
	if len(emails) > 0 {
		return r.one(loss{code: r.code("EMAIL-INVALID"), sev: sev(c, vigie.SevError), frac: 0.5,
			msg:  tx("Le courriel de contact « %s » n'est pas une adresse valide.", "Contact e-mail %q is not a valid address.", emails[0]),
			hint: tx("Corrigez l'adresse (forme nom@domaine.org).", "Fix the address (name@domain.org).")})
	}
	return r.one(loss{code: r.code("CONTACT-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
		msg: tx("Aucun courriel de contact n'est indiqué (maintainer_email, author_email, contact_email, point de contact…).",
			"No contact e-mail is given (maintainer_email, author_email, contact_email, contact point…)."),
		hint: tx("Ajoutez une adresse courriel où poser des questions sur les données.", "Add an e-mail address for questions about the data.")})
}

// validEmail accepts a bare address (local@domain.tld) with no display
// name, no spaces and a dotted domain.
func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 || len(e) > 254 {
		return false
	}
	local, domain := e[:at], e[at+1:]
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>[]\\,;:@\"", c) >= 0 {
			return false
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c >= 0x80) {
				return false
			}
		}
	}
	return true
}

func checkUpdateFrequency(r *run, c Check) (bool, []loss) {
	v := strings.TrimSpace(r.d.Extra("update_frequency"))
	if v == "" {
		return r.one(loss{code: r.code("FREQUENCY-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La fréquence de mise à jour (update_frequency) n'est pas indiquée.", "The update frequency (update_frequency) is not given."),
			hint: tx("Choisissez la fréquence de mise à jour prévue (annuelle, mensuelle, au besoin…).", "Choose the planned update frequency (annual, monthly, as needed…).")})
	}
	if len(r.p.Vocabularies.UpdateFrequency) > 0 && !inFold(r.p.Vocabularies.UpdateFrequency, v) {
		return r.one(loss{code: r.code("FREQUENCY-INVALID"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La fréquence « %s » ne fait pas partie du vocabulaire du portail.", "Frequency %q is not in the portal's vocabulary.", v),
			hint: tx("Utilisez une valeur du vocabulaire : %s.", "Use a value from the vocabulary: %s.", strings.Join(r.p.Vocabularies.UpdateFrequency, ", "))})
	}
	return true, nil
}

func checkFrequency(r *run, c Check) (bool, []loss) {
	if _, raw := r.declaredFrequency(); raw != "" {
		return true, nil
	}
	return r.one(loss{code: r.code("FREQUENCY-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("Aucune fréquence de mise à jour n'est déclarée.", "No update frequency is declared."),
		hint: tx("Déclarez la fréquence prévue (champ frequency ou accrualPeriodicity).", "Declare the planned frequency (frequency or accrualPeriodicity field).")})
}

func checkLanguage(r *run, c Check) (bool, []loss) {
	v := unlist(r.d.Extra("language"))
	if v == "" {
		return r.one(loss{code: r.code("LANGUAGE-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La langue des données (language) n'est pas indiquée.", "The language of the data (language) is not given."),
			hint: tx("Indiquez FR, ou FR_EN pour des données bilingues.", "Set FR, or FR_EN for bilingual data.")})
	}
	if len(r.p.Vocabularies.Language) > 0 && !inFold(r.p.Vocabularies.Language, v) {
		return r.one(loss{code: r.code("LANGUAGE-INVALID"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La langue « %s » n'est pas une valeur admise.", "Language %q is not an allowed value.", v),
			hint: tx("Utilisez une valeur admise : %s.", "Use an allowed value: %s.", strings.Join(r.p.Vocabularies.Language, ", "))})
	}
	return true, nil
}

func checkExtSpatial(r *run, c Check) (bool, []loss) {
	if unlist(r.d.Extra("ext_spatial")) != "" {
		return true, nil
	}
	return r.one(loss{code: r.code("SPATIAL-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("La couverture géographique (ext_spatial) n'est pas indiquée.", "The geographic coverage (ext_spatial) is not given."),
		hint: tx("Choisissez le territoire couvert (ville, province-quebec…).", "Choose the territory covered (city, province-quebec…).")})
}

func checkTemporal(r *run, c Check) (bool, []loss) {
	v := strings.TrimSpace(r.d.Extra("temporal"))
	if v == "" {
		return r.one(loss{code: r.code("TEMPORAL-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
			msg:  tx("La couverture temporelle (temporal) n'est pas indiquée.", "The temporal coverage (temporal) is not given."),
			hint: tx("Indiquez la période couverte sous la forme AAAA-MM-JJ / AAAA-MM-JJ.", "Give the period covered as YYYY-MM-DD / YYYY-MM-DD.")})
	}
	if !validTemporal(v) {
		return r.one(loss{code: r.code("TEMPORAL-FORMAT"), sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La couverture temporelle « %s » n'est pas de la forme AAAA-MM-JJ / AAAA-MM-JJ.", "Temporal coverage %q is not of the form YYYY-MM-DD / YYYY-MM-DD.", v),
			hint: tx("Écrivez deux dates réelles séparées par « / », la première avant la seconde (ou une seule date pour un instantané).", "Write two real dates separated by \" / \", the first before the second (or one date for a snapshot).")})
	}
	return true, nil
}

// validTemporal accepts "YYYY-MM-DD / YYYY-MM-DD" (start ≤ end) or one date.
func validTemporal(v string) bool {
	a, b, two := strings.Cut(v, "/")
	start, err := time.Parse("2006-01-02", strings.TrimSpace(a))
	if err != nil {
		return false
	}
	if !two {
		return true
	}
	end, err := time.Parse("2006-01-02", strings.TrimSpace(b))
	return err == nil && !end.Before(start)
}

func checkMethodology(r *run, c Check) (bool, []loss) {
	if !blank(r.d.Extra("methodologie")) {
		return true, nil
	}
	return r.one(loss{code: r.code("METHODOLOGY-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("Les informations complémentaires (methodologie) sont vides.", "The additional information (methodologie) is empty."),
		hint: tx("Décrivez les champs, les limites, la fiabilité, la précision et le système de coordonnées.", "Describe the fields, limits, reliability, precision and coordinate system.")})
}

func checkCategory(r *run, c Check) (bool, []loss) {
	for _, g := range r.d.Groups {
		if !blank(g) {
			return true, nil
		}
	}
	return r.one(loss{code: r.code("CATEGORY-MISSING"), sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("Le jeu de données n'est classé dans aucune catégorie (groupe).", "The dataset is in no category (group)."),
		hint: tx("Classez-le dans au moins une catégorie du portail.", "Put it in at least one of the portal's categories.")})
}

func checkResources(r *run, c Check) (bool, []loss) {
	if len(r.d.Resources) > 0 {
		return true, nil
	}
	return r.one(loss{code: r.code("RESOURCES-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("Le jeu de données n'a aucune ressource.", "The dataset has no resources."),
		hint: tx("Ajoutez au moins un fichier ou un lien vers les données.", "Add at least one file or link to the data.")})
}

func checkDataResource(r *run, c Check) (bool, []loss) {
	for i := range r.d.Resources {
		if inFold(r.p.Vocabularies.DataResourceTypes, r.d.Resources[i].ResourceType) {
			return true, nil
		}
	}
	return r.one(loss{code: r.code("DATA-RESOURCE-MISSING"), sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("Aucune ressource n'est de type « données » (resource_type = donnees).", "No resource is of type data (resource_type = donnees)."),
		hint: tx("Un jeu de données contient au moins une ressource de type données : corrigez le type de la ressource principale.", "A dataset holds at least one data resource: fix the type of the main resource.")})
}

func resLabel(x *vigie.Resource) string {
	if !blank(x.Name) {
		return strings.TrimSpace(x.Name)
	}
	if x.ID != "" {
		return x.ID
	}
	return "#" + itoa(x.Position+1)
}

func checkResName(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	if !blank(x.Name) {
		return true, nil
	}
	return r.one(loss{code: "RES-NAME-MISSING", sev: sev(c, vigie.SevError), frac: 1,
		msg:  tx("La ressource « %s » n'a pas de titre.", "Resource %q has no title.", resLabel(x)),
		hint: tx("Donnez à la ressource un titre qui dit ce que contient le fichier.", "Give the resource a title that says what the file contains.")})
}

func checkResDescription(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	if !blank(x.Description) {
		return true, nil
	}
	return r.one(loss{code: "RES-DESCRIPTION-MISSING", sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("La ressource « %s » n'a pas de description.", "Resource %q has no description.", resLabel(x)),
		hint: tx("Décrivez ce qui est propre à ce fichier : contenu, période, particularités.", "Describe what is specific to this file: content, period, particulars.")})
}

func checkResFormat(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	f := strings.TrimSpace(x.Format)
	if f == "" {
		return r.one(loss{code: "RES-FORMAT-MISSING", sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La ressource « %s » n'a pas de format.", "Resource %q has no format.", resLabel(x)),
			hint: tx("Indiquez le format du fichier (CSV, JSON, GeoJSON…).", "Give the file format (CSV, JSON, GeoJSON…).")})
	}
	if !KnownFormat(ri.format) {
		return r.one(loss{code: "RES-FORMAT-UNKNOWN", sev: sev(c, vigie.SevWarning), frac: 0.5,
			msg:  tx("Le format « %s » de la ressource « %s » n'est pas un format connu.", "Format %q of resource %q is not a known format.", f, resLabel(x)),
			hint: tx("Utilisez le nom usuel du format (CSV, JSON, XLSX, SHP…).", "Use the usual format name (CSV, JSON, XLSX, SHP…).")})
	}
	return true, nil
}

// ExpectedFormatCase is how Données Québec wants a format written: upper
// case, except GeoJSON, GeoTIFF and SQLite.
func ExpectedFormatCase(format string) string {
	u := strings.ToUpper(strings.TrimSpace(format))
	if c, ok := formatCase[u]; ok {
		return c
	}
	return u
}

func checkResFormatCase(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	f := strings.TrimSpace(x.Format)
	if f == "" || !KnownFormat(ri.format) || strings.Contains(f, "/") {
		return false, nil
	}
	want := ExpectedFormatCase(f)
	if f == want {
		return true, nil
	}
	return r.one(loss{code: "RES-FORMAT-CASE", sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("Le format « %s » de la ressource « %s » devrait s'écrire « %s ».", "Format %q of resource %q should be written %q.", f, resLabel(x), want),
		hint: tx("Écrivez le format en majuscules (sauf GeoJSON, GeoTIFF et SQLite).", "Write the format in capitals (except GeoJSON, GeoTIFF and SQLite).")})
}

func checkResType(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	t := strings.TrimSpace(x.ResourceType)
	if t != "" && !inFold(r.p.Vocabularies.ForbiddenResourceTypes, t) && (len(r.p.Vocabularies.ResourceTypes) == 0 || inFold(r.p.Vocabularies.ResourceTypes, t)) {
		return true, nil
	}
	allowed := strings.Join(r.p.Vocabularies.ResourceTypes, ", ")
	switch {
	case t == "":
		return r.one(loss{code: "RES-TYPE-MISSING", sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La ressource « %s » n'a pas de type de ressource.", "Resource %q has no resource type.", resLabel(x)),
			hint: tx("Choisissez un type : %s.", "Choose a type: %s.", allowed)})
	case inFold(r.p.Vocabularies.ForbiddenResourceTypes, t):
		return r.one(loss{code: "RES-TYPE-FILE", sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La ressource « %s » a le type « %s », qui ne doit pas être utilisé.", "Resource %q has type %q, which must not be used.", resLabel(x), t),
			hint: tx("Remplacez-le par l'un des types admis : %s.", "Replace it with one of the allowed types: %s.", allowed)})
	case len(r.p.Vocabularies.ResourceTypes) > 0 && !inFold(r.p.Vocabularies.ResourceTypes, t):
		return r.one(loss{code: "RES-TYPE-INVALID", sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("Le type « %s » de la ressource « %s » n'est pas admis.", "Type %q of resource %q is not allowed.", t, resLabel(x)),
			hint: tx("Choisissez un type : %s.", "Choose a type: %s.", allowed)})
	}
	return true, nil
}

// complementary reports whether a resource is ticked "ressource complémentaire".
func complementary(x *vigie.Resource) bool {
	return strings.Contains(x.Extras["relidi_ressource_complementaire"], "relidi.rescom")
}

func checkResRelidi(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	if !inFold(r.p.Vocabularies.RelidiResourceTypes, x.ResourceType) || complementary(x) {
		return false, nil
	}
	fields := r.p.Vocabularies.RelidiFields
	if len(fields) == 0 {
		return false, nil
	}
	var missing, non []string
	for _, f := range fields {
		v := strings.ToLower(unlist(x.Extras[f]))
		switch {
		case f == "relidi_description_champs":
			switch v {
			case "relidi.descha.foudoc", "relidi.descha.foumet":
			case "relidi.descha.absent":
				non = append(non, f)
			default:
				missing = append(missing, f)
			}
		case v == "non":
			non = append(non, f)
		case inFold(r.p.Vocabularies.RelidiAnswers, v):
		default:
			missing = append(missing, f)
		}
	}
	n := float64(len(fields))
	var ls []loss
	if len(missing) > 0 {
		ls = append(ls, loss{code: "RES-RELIDI-MISSING", sev: sev(c, vigie.SevError), frac: float64(len(missing)) / n,
			msg:  tx("La ressource « %s » ne déclare pas sa conformité aux lignes directrices (%s).", "Resource %q does not declare its conformity with the guidelines (%s).", resLabel(x), strings.Join(missing, ", ")),
			hint: tx("Répondez oui, non ou n/a à chaque point de conformité de la ressource, ou cochez « Ressource complémentaire » s'il s'agit d'un complément.", "Answer oui, non or n/a to each conformity item of the resource, or tick \"Ressource complémentaire\" if it only complements another.")})
	}
	if len(non) > 0 {
		ls = append(ls, loss{code: "RES-RELIDI-NONCONFORM", sev: sev(c, vigie.SevWarning), frac: float64(len(non)) / n,
			msg:  tx("La ressource « %s » se déclare non conforme aux lignes directrices (%s).", "Resource %q declares itself non-conforming with the guidelines (%s).", resLabel(x), strings.Join(non, ", ")),
			hint: tx("Corrigez le fichier (UTF-8, virgule, ISO 8601, EPSG:4326, description des champs…) ou documentez la dérogation dans les informations complémentaires.", "Fix the file (UTF-8, comma, ISO 8601, EPSG:4326, field descriptions…) or document the exception in the additional information.")})
	}
	return true, ls
}

var compressedFormats = setOf("ZIP", "GZIP", "GZ", "7Z", "RAR", "TAR", "BZ2", "TGZ")

func checkResCompression(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	f, ext := ri.format, ri.ext
	compressed := compressedFormats[f] || compressedFormats[ext]
	if !compressed || inFold(r.p.Vocabularies.CompressionAllowed, f) {
		return true, nil
	}
	return r.one(loss{code: "RES-COMPRESSED", sev: sev(c, vigie.SevWarning), frac: 1,
		msg:  tx("La ressource « %s » est compressée alors que son format ne le justifie pas.", "Resource %q is compressed although its format does not call for it.", resLabel(x)),
		hint: tx("Diffusez le fichier non compressé ; la compression est réservée aux formats %s.", "Publish the file uncompressed; compression is for %s only.", strings.Join(r.p.Vocabularies.CompressionAllowed, ", "))})
}

func checkResURL(r *run, c Check, x *vigie.Resource, ri *resInfo) (bool, []loss) {
	v := strings.TrimSpace(x.URL)
	if v == "" {
		return r.one(loss{code: "RES-URL-MISSING", sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("La ressource « %s » n'a pas d'URL.", "Resource %q has no URL.", resLabel(x)),
			hint: tx("Téléversez le fichier ou donnez le lien vers les données.", "Upload the file or give the link to the data.")})
	}
	if !validURL(v) {
		return r.one(loss{code: "RES-URL-INVALID", sev: sev(c, vigie.SevError), frac: 1,
			msg:  tx("L'URL de la ressource « %s » n'est pas une adresse web valide.", "The URL of resource %q is not a valid web address.", resLabel(x)),
			hint: tx("Donnez une adresse complète commençant par https://.", "Give a full address starting with https://.")})
	}
	return true, nil
}

func validURL(v string) bool {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp":
		return true
	}
	return false
}

// unlist turns a JSON-encoded one-element list (`["FR"]`) into its value.
func unlist(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		v = strings.TrimSpace(v[1 : len(v)-1])
		v = strings.Trim(v, `"`)
	}
	return strings.TrimSpace(v)
}

func inFold(list []string, v string) bool {
	v = strings.TrimSpace(v)
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
