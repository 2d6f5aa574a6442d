package quality

import (
	_ "embed"
	"encoding/json"
	"strings"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/plain"
)

// The Open Definition's licence register (okfn/licenses, groups/all.json),
// reduced to the fields vigie reads. Provenance: data/SOURCE.md.
//
//go:embed data/opendefinition-licenses.json
var odRegisterJSON []byte

// odLicence is one entry of the Open Definition register.
type odLicence struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	URL       string   `json:"url"`
	OD        string   `json:"od_conformance"`
	OSD       string   `json:"osd_conformance"`
	LegacyIDs []string `json:"legacy_ids"`
}

// register indexes the Open Definition list and vigie's aliases by
// normalised id, URL and title; each key leads to a verdict.
type register struct {
	byKey map[string]regEntry
	byURL map[string]regEntry
}

type regEntry struct {
	id   string // canonical id (Open Definition's when it lists the licence)
	open bool
	// decided is false for licences the Open Definition lists as "not
	// reviewed" for data and that no alias judges.
	decided bool
}

// aliasOf maps well-known ids that the Open Definition list spells otherwise
// (CKAN's legacy ids, SPDX ids, national portals' ids) to the Open Definition
// id. Keys are compared after normKey.
var aliasOf = map[string]string{
	"cc-by": "CC-BY-4.0", "cc-by-4.0": "CC-BY-4.0", "cc-by-3.0": "CC-BY-4.0", "cc-by-2.5": "CC-BY-4.0", "cc-by-2.0": "CC-BY-4.0",
	"cc-by-4.0-au": "CC-BY-4.0", "cc-by-3.0-au": "CC-BY-4.0", "cc-by-igo": "CC-BY-4.0", "cc-by-3.0-igo": "CC-BY-4.0", "creative-commons-attribution": "CC-BY-4.0",
	"cc-by-sa": "CC-BY-SA-4.0", "cc-by-sa-3.0": "CC-BY-SA-4.0", "cc-by-sa-2.5": "CC-BY-SA-4.0",
	"cc-zero": "CC0-1.0", "cc0": "CC0-1.0", "cc-0": "CC0-1.0", "cc0-1.0": "CC0-1.0", "cc-zero-1.0": "CC0-1.0", "cc-pdm-1.0": "other-pd", "pdm": "other-pd",
	"odc-odbl": "ODbL-1.0", "odbl": "ODbL-1.0", "odc-odbl-1.0": "ODbL-1.0", "odbl-1.0": "ODbL-1.0",
	"odc-by": "ODC-BY-1.0", "odc-by-1.0": "ODC-BY-1.0",
	"odc-pddl": "PDDL-1.0", "pddl": "PDDL-1.0", "odc-pddl-1.0": "PDDL-1.0", "pddl-1.0": "PDDL-1.0",
	"gfdl": "GFDL-1.3-no-cover-texts-no-invariant-sections", "gfdl-1.3": "GFDL-1.3-no-cover-texts-no-invariant-sections",
	"uk-ogl": "OGL-UK-3.0", "ogl": "OGL-UK-3.0", "ogl-uk": "OGL-UK-3.0", "ogl-uk-3": "OGL-UK-3.0", "ogl-3.0": "OGL-UK-3.0", "ogl-uk-2": "OGL-UK-2.0",
	"ca-ogl-lgo": "OGL-Canada-2.0", "ogl-canada": "OGL-Canada-2.0", "ogl-ca-2.0": "OGL-Canada-2.0", "ogl-canada-2.0": "OGL-Canada-2.0",
	"other-public-domain": "other-pd", "public-domain": "other-pd", "publicdomain": "other-pd", "domaine-public": "other-pd",
	"other-attribution": "other-at", "other-open-licence": "other-open",
}

// vigieJudged are licences the Open Definition list does not judge for data
// (absent, or "not reviewed") that vigie judges from their text: government
// licences modelled on CC-BY and non-commercial or closed terms. The reason
// is in docs/scoring.md.
var vigieJudged = map[string]bool{
	"dl-de-by-2.0": true, "dl-de-zero-2.0": true, "dl-by-de/2.0": true, "dl-zero-de/2.0": true, // Datenlizenz Deutschland
	"LO-FR-2.0": true, "etalab-2.0": true, "lo-ol-v2": true, "fr-lo": true, "etalab-1.0": true, // Licence Ouverte (Etalab)
	"OGL-UK-1.0": true, "iodl-2.0": true, "nlod-2.0": true, "cc-by-3.0-nl": true,
	// Non-commercial, no-derivatives, unspecified or closed terms fail the Open Definition's
	// freedoms to use and modify; okfn/licenses leaves several of them "not reviewed".
	"cc-by-nc": false, "cc-nc": false, "cc-by-nc-sa": false, "cc-by-sa-nc": false, "cc-by-sa-nc-4.0": false,
	"cc-by-nd": false, "cc-nd": false, "cc-by-nc-nd": false, "other-nc": false, "other-closed": false,
	"cc-by-nc-3.0": false, "cc-by-nd-3.0": false, "cc-by-nc-sa-3.0": false, "cc-by-nc-nd-3.0": false, "cmm": false,
	// opendata.swiss terms of use (DCAT-AP CH dct:rights on each distribution):
	// open when commercial use is allowed, not open when it needs permission
	// or is forbidden.
	"NonCommercialAllowed-CommercialAllowed-ReferenceNotRequired":        true,
	"NonCommercialAllowed-CommercialAllowed-ReferenceRequired":           true,
	"NonCommercialAllowed-CommercialWithPermission-ReferenceNotRequired": false,
	"NonCommercialAllowed-CommercialWithPermission-ReferenceRequired":    false,
	"NonCommercialAllowed-CommercialNotAllowed-ReferenceNotRequired":     false,
	"NonCommercialAllowed-CommercialNotAllowed-ReferenceRequired":        false,
}

// KnownLicence reports whether the Open Definition register or vigie's
// aliases know a licence id or URI.
func KnownLicence(id string) bool {
	_, ok := odReg.lookup(strings.TrimSpace(id), "", "")
	return ok && strings.TrimSpace(id) != ""
}

// licenceURIs maps licence URIs (see normURL) that are not in the Open
// Definition list to an id of the register.
var licenceURIs = map[string]string{
	"creativecommons.org/licenses/by/4.0": "CC-BY-4.0", "creativecommons.org/licenses/by/3.0": "CC-BY-4.0", "creativecommons.org/licenses/by/2.5": "CC-BY-4.0",
	"creativecommons.org/licenses/by/3.0/igo": "CC-BY-4.0",
	"creativecommons.org/licenses/by-sa/4.0":  "CC-BY-SA-4.0", "creativecommons.org/licenses/by-sa/3.0": "CC-BY-SA-4.0",
	"creativecommons.org/publicdomain/zero/1.0": "CC0-1.0", "creativecommons.org/publicdomain/mark/1.0": "other-pd",
	"creativecommons.org/licenses/by-nc/4.0": "CC-BY-NC-4.0", "creativecommons.org/licenses/by-nd/4.0": "CC-BY-ND-4.0",
	"creativecommons.org/licenses/by-nc-sa/4.0": "CC-BY-NC-SA-4.0", "creativecommons.org/licenses/by-nc-nd/4.0": "CC-BY-NC-ND-4.0",
	"opendatacommons.org/licenses/odbl": "ODbL-1.0", "opendatacommons.org/licenses/odbl/1.0": "ODbL-1.0", "opendatacommons.org/licenses/odbl/1-0": "ODbL-1.0",
	"opendatacommons.org/licenses/by": "ODC-BY-1.0", "opendatacommons.org/licenses/by/1.0": "ODC-BY-1.0", "opendatacommons.org/licenses/by/1-0": "ODC-BY-1.0",
	"opendatacommons.org/licenses/pddl": "PDDL-1.0", "opendatacommons.org/licenses/pddl/1.0": "PDDL-1.0", "opendatacommons.org/licenses/pddl/1-0": "PDDL-1.0",
	"opendefinition.org/licenses/cc-by": "CC-BY-4.0", "opendefinition.org/licenses/cc-by-sa": "CC-BY-SA-4.0", "opendefinition.org/licenses/cc-zero": "CC0-1.0",
	"opendefinition.org/licenses/odc-odbl": "ODbL-1.0", "opendefinition.org/licenses/odc-by": "ODC-BY-1.0", "opendefinition.org/licenses/odc-pddl": "PDDL-1.0",
	"open.canada.ca/en/open-government-licence-canada": "OGL-Canada-2.0", "ouvert.canada.ca/fr/licence-du-gouvernement-ouvert-canada": "OGL-Canada-2.0",
	"nationalarchives.gov.uk/doc/open-government-licence/version/3": "OGL-UK-3.0", "nationalarchives.gov.uk/doc/open-government-licence/version/2": "OGL-UK-2.0",
	"nationalarchives.gov.uk/doc/open-government-licence": "OGL-UK-3.0", "reference.data.gov.uk/id/open-government-licence": "OGL-UK-3.0",
	"etalab.gouv.fr/licence-ouverte-open-licence": "LO-FR-2.0",
	"dcat-ap.de/def/licenses/dl-by-de/2.0":        "dl-de-by-2.0", "dcat-ap.de/def/licenses/dl-zero-de/2.0": "dl-de-zero-2.0", "dcat-ap.de/def/licenses/cc-by/4.0": "CC-BY-4.0",
	"dcat-ap.de/def/licenses/cc-by-sa/4.0": "CC-BY-SA-4.0", "dcat-ap.de/def/licenses/cc-zero": "CC0-1.0", "dcat-ap.de/def/licenses/cc-by-nc/4.0": "CC-BY-NC-4.0",
	"dcat-ap.de/def/licenses/odbl": "ODbL-1.0",
	"govdata.de/dl-de/by-2-0":      "dl-de-by-2.0", "govdata.de/dl-de/zero-2-0": "dl-de-zero-2.0",
	"donneesquebec.ca/licence/#cc-by": "CC-BY-4.0", "donneesquebec.ca/fr/licence/#cc-by": "CC-BY-4.0", "donneesquebec.ca/licence/#cc-0": "CC0-1.0",
	// EU Publications Office licence authority.
	"publications.europa.eu/resource/authority/licence/cc_by_4_0": "CC-BY-4.0", "publications.europa.eu/resource/authority/licence/cc0": "CC0-1.0",
	"publications.europa.eu/resource/authority/licence/cc_by_sa_4_0": "CC-BY-SA-4.0", "publications.europa.eu/resource/authority/licence/odc_odbl": "ODbL-1.0",
	"publications.europa.eu/resource/authority/licence/odc_by": "ODC-BY-1.0", "publications.europa.eu/resource/authority/licence/odc_pddl": "PDDL-1.0",
	"publications.europa.eu/resource/authority/licence/dl_de_by_2_0": "dl-de-by-2.0", "publications.europa.eu/resource/authority/licence/dl_de_zero_2_0": "dl-de-zero-2.0",
	"publications.europa.eu/resource/authority/licence/cc_by_nc_4_0": "CC-BY-NC-4.0", "publications.europa.eu/resource/authority/licence/cc_by_nd_4_0": "CC-BY-ND-4.0",
	"publications.europa.eu/resource/authority/licence/ogl_uk_3_0": "OGL-UK-3.0", "publications.europa.eu/resource/authority/licence/etalab_2_0": "LO-FR-2.0",
}

var odReg = buildRegister()

func buildRegister() *register {
	var doc struct {
		Licenses []odLicence `json:"licenses"`
	}
	if err := json.Unmarshal(odRegisterJSON, &doc); err != nil || len(doc.Licenses) == 0 {
		panic("quality: the embedded Open Definition register is broken: " + plain.FirstLine(errString(err)))
	}
	r := &register{byKey: map[string]regEntry{}, byURL: map[string]regEntry{}}
	canon := map[string]regEntry{}
	for _, l := range doc.Licenses {
		e := regEntry{id: l.ID}
		switch {
		case l.OD == "approved":
			e.open, e.decided = true, true
		case l.OD == "rejected":
			e.open, e.decided = false, true
		case l.OSD == "approved": // CKAN's isopen counts an OSI-approved licence as open
			e.open, e.decided = true, true
		}
		if v, ok := vigieJudged[l.ID]; ok && !e.decided {
			e.open, e.decided = v, true
		}
		canon[normKey(l.ID)] = e
		r.byKey[normKey(l.ID)] = e
		for _, id := range l.LegacyIDs {
			r.byKey[normKey(id)] = e
		}
		if t := normTitle(l.Title); t != "" {
			r.byKey[t] = e
		}
		if u := normURL(l.URL); u != "" {
			r.byURL[u] = e
		}
	}
	for id, v := range vigieJudged {
		if _, ok := r.byKey[normKey(id)]; !ok {
			e := regEntry{id: id, open: v, decided: true}
			r.byKey[normKey(id)] = e
			canon[normKey(id)] = e
		}
	}
	for a, id := range aliasOf {
		if e, ok := canon[normKey(id)]; ok {
			r.byKey[normKey(a)] = e
		}
	}
	for u, id := range licenceURIs {
		if e, ok := canon[normKey(id)]; ok {
			r.byURL[u] = e
		}
	}
	return r
}

func errString(err error) string {
	if err == nil {
		return "no licence in it"
	}
	return err.Error()
}

// normKey lower-cases an id and writes its separators as "-" so that
// "CC BY 4.0", "cc_by_4.0" and "CC-BY-4.0" meet.
func normKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '\t':
			return '-'
		}
		return r
	}, s)
}

// normTitle is a title's key: lower case, words joined by "-", the version
// punctuation kept ("open-database-license-(odc-odbl)").
func normTitle(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), "-")
}

// normURL drops the scheme, "www.", a trailing slash, "/legalcode" and the
// deed page so that the forms of one licence URI meet.
func normURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	u = strings.TrimPrefix(u[i+3:], "www.")
	u = strings.TrimSuffix(u, "/")
	for _, suf := range []string{"/legalcode", "/deed.fr", "/deed.en", "/summary"} {
		u = strings.TrimSuffix(u, suf)
	}
	return strings.TrimSuffix(u, "/")
}

// LicenceVerdict is vigie's judgement of a dataset's licence.
type LicenceVerdict struct {
	Status string // vigie.LicenceOpen, LicenceNotOpen, LicenceUnknown, LicenceMissing
	// By says what decided: "portal" (the portal's own register),
	// "isopen" (CKAN's verdict on the dataset), "register" (the Open
	// Definition list and vigie's aliases), "" when nothing did.
	By string
	// Canonical is the register's id for the licence, when it is known.
	Canonical string
}

// Open reports whether the verdict is "open".
func (v LicenceVerdict) Open() bool { return v.Status == vigie.LicenceOpen }

// Known reports whether the licence's openness was decided.
func (v LicenceVerdict) Known() bool {
	return v.Status == vigie.LicenceOpen || v.Status == vigie.LicenceNotOpen
}

// JudgeLicence decides whether a licence is open per the Open Definition.
// In order: the portal's own register (license_list: approved for the Open
// Definition or the Open Source Definition, or is_okd_compliant, means
// open; rejected means not open), CKAN's isopen when it is true, then the
// Open Definition's register and vigie's aliases (which also overrule an
// isopen true for a licence the register rejects), looked up by id (exact,
// case-insensitive, then without a portal's prefix such as "hdx-"), by
// licence URL and by title (whole, or the abbreviation it gives in
// brackets). A licence none of them decides is unknown, not "not open".
//
// CKAN computes isopen from its register, so isopen false only says that
// the portal did not approve the licence, which is not a judgement: it does
// not decide (open.canada.ca sends isopen false for its open government
// licence).
func JudgeLicence(id, title, url string, isopen *bool, portal map[string]vigie.Licence) LicenceVerdict {
	id = strings.TrimSpace(id)
	if !licenceGiven(id) {
		return LicenceVerdict{Status: vigie.LicenceMissing}
	}
	if pl, ok := portalLicence(portal, id); ok {
		switch {
		case strings.EqualFold(pl.ODConformance, "approved") || strings.EqualFold(pl.OSDConformance, "approved") ||
			(pl.OKDCompliant != nil && *pl.OKDCompliant) || (pl.OSICompliant != nil && *pl.OSICompliant):
			return LicenceVerdict{Status: vigie.LicenceOpen, By: "portal", Canonical: odReg.canonical(id, pl.Title, pl.URL)}
		case strings.EqualFold(pl.ODConformance, "rejected"):
			return LicenceVerdict{Status: vigie.LicenceNotOpen, By: "portal", Canonical: odReg.canonical(id, pl.Title, pl.URL)}
		}
		if title == "" {
			title = pl.Title
		}
		if url == "" {
			url = pl.URL
		}
	}
	e, inReg := odReg.lookup(id, title, url)
	if isopen != nil && *isopen && !(inReg && e.decided && !e.open) {
		return LicenceVerdict{Status: vigie.LicenceOpen, By: "isopen", Canonical: e.id}
	}
	if inReg {
		if !e.decided {
			return LicenceVerdict{Status: vigie.LicenceUnknown, Canonical: e.id}
		}
		st := vigie.LicenceNotOpen
		if e.open {
			st = vigie.LicenceOpen
		}
		return LicenceVerdict{Status: st, By: "register", Canonical: e.id}
	}
	return LicenceVerdict{Status: vigie.LicenceUnknown}
}

// portalLicence finds an id in the portal's register, exactly, then without
// regard to case.
func portalLicence(portal map[string]vigie.Licence, id string) (vigie.Licence, bool) {
	if len(portal) == 0 {
		return vigie.Licence{}, false
	}
	if l, ok := portal[id]; ok {
		return l, true
	}
	for k, l := range portal {
		if strings.EqualFold(k, id) {
			return l, true
		}
	}
	return vigie.Licence{}, false
}

func (r *register) canonical(id, title, url string) string {
	if e, ok := r.lookup(id, title, url); ok {
		return e.id
	}
	return ""
}

// lookup finds a licence by id, then URL, then title.
func (r *register) lookup(id, title, url string) (regEntry, bool) {
	k := normKey(id)
	if strings.Contains(id, "://") {
		if e, ok := r.byURL[normURL(id)]; ok {
			return e, true
		}
	} else {
		if e, ok := r.byKey[k]; ok {
			return e, true
		}
		// A portal's own prefix: "hdx-odc-odbl" is "odc-odbl".
		if i := strings.IndexByte(k, '-'); i > 0 && len(k)-i-1 >= 4 {
			if e, ok := r.byKey[k[i+1:]]; ok {
				return e, true
			}
		}
	}
	if e, ok := r.byURL[normURL(url)]; ok && url != "" {
		return e, true
	}
	if t := strings.TrimSpace(title); t != "" {
		if e, ok := r.byKey[normTitle(t)]; ok {
			return e, true
		}
		if e, ok := r.byKey[normKey(t)]; ok {
			return e, true
		}
		// The abbreviation in brackets: "Open Database License (ODC-ODbL)",
		// "Attribution (CC-BY 4.0)".
		if i, j := strings.LastIndexByte(t, '('), strings.LastIndexByte(t, ')'); i >= 0 && j > i+1 {
			if e, ok := r.byKey[normKey(t[i+1:j])]; ok {
				return e, true
			}
		}
	}
	// The Open Definition counts works in the public domain as open (2.1, §1).
	if publicDomain(id) || publicDomain(title) {
		return r.byKey["other-pd"], true
	}
	return regEntry{}, false
}

// publicDomain reports a licence that names the public domain and no
// restriction.
func publicDomain(s string) bool {
	s = strings.ToLower(s)
	if !strings.Contains(s, "public domain") && !strings.Contains(s, "public-domain") && !strings.Contains(s, "domaine public") {
		return false
	}
	for _, w := range []string{"non-commercial", "noncommercial", "non commercial", "no derivative", "pas d'utilisation commerciale"} {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// LicenceOpen says whether a licence id is open per the Open Definition,
// from the id alone and CKAN's isopen (no portal register); known is false
// when nothing decides.
func LicenceOpen(id string, isopen *bool) (open, known bool) {
	v := JudgeLicence(id, "", "", isopen, nil)
	if v.Status == vigie.LicenceMissing {
		return false, true
	}
	return v.Open(), v.Known()
}
