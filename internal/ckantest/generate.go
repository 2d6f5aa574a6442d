package ckantest

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// GenOptions shapes a generated catalogue.
type GenOptions struct {
	LinkBase     string    // resource URLs point at LinkBase+"/files/..." (default "http://files.example.invalid")
	Orgs         int       // number of publishers to spread datasets over (default 139, like Données Québec)
	Now          time.Time // latest metadata_modified (default 2026-11-01T00:00:00Z, fixed for determinism)
	PrivateShare float64   // share of private datasets (default 0)
}

func (o GenOptions) withDefaults() GenOptions {
	if o.LinkBase == "" {
		o.LinkBase = "http://files.example.invalid"
	}
	o.LinkBase = strings.TrimRight(o.LinkBase, "/")
	if o.Orgs <= 0 {
		o.Orgs = 139
	}
	if o.Now.IsZero() {
		o.Now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	return o
}

// Generate returns n Données Québec-shaped package dicts, identical for the
// same n, seed and options. Dataset i depends only on (seed, i, o), so a
// catalogue of n+1 datasets extends the one of n.
func Generate(n int, seed int64, o GenOptions) []map[string]any {
	out := make([]map[string]any, n)
	GenerateEach(n, seed, o, func(i int, pkg map[string]any) { out[i] = pkg })
	return out
}

// GenerateEach generates n datasets in parallel and hands each to fn
// (called concurrently, in no particular order) without keeping them.
func GenerateEach(n int, seed int64, o GenOptions, fn func(i int, pkg map[string]any)) {
	o = o.withDefaults()
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int, 64)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range next {
				for i := start; i < start+256 && i < n; i++ {
					fn(i, generateOne(i, seed, o))
				}
			}
		}()
	}
	for start := 0; start < n; start += 256 {
		next <- start
	}
	close(next)
	wg.Wait()
}

// GeneratedOrganization returns the organization dict of generated
// publisher k (0 ≤ k < GenOptions.Orgs).
func GeneratedOrganization(k int) map[string]any {
	cached, ok := orgCache.Load(k)
	if !ok {
		cached, _ = orgCache.LoadOrStore(k, newOrganization(k))
	}
	org := cached.(map[string]any)
	c := make(map[string]any, len(org))
	for key, v := range org {
		c[key] = v
	}
	return c
}

var orgCache sync.Map // int → organization dict

func newOrganization(k int) map[string]any {
	s := orgAt(k)
	return map[string]any{
		"id":              uuidFrom("org:" + s.name),
		"name":            s.name,
		"title":           s.title,
		"type":            "organization",
		"description":     "",
		"image_url":       "",
		"created":         "2017-03-14T15:02:11.482913",
		"is_organization": true,
		"approval_status": "approved",
		"state":           "active",
	}
}

func orgAt(k int) orgSpec {
	if k < len(dqOrgs) {
		return dqOrgs[k]
	}
	k -= len(dqOrgs)
	var place string
	if k < len(extraPlaces) {
		place = extraPlaces[k]
	} else {
		place = fmt.Sprintf("%s %d", extraPlaces[k%len(extraPlaces)], k/len(extraPlaces)+1)
	}
	name := "ville-de-" + slug(place)
	return orgSpec{name: name, title: "Ville de " + place, principale: name, spatial: "autre",
		domain: slug(place) + ".qc.ca"}
}

// gen is the random source of one dataset, with weighted helpers.
type gen struct{ r *rand.Rand }

func (g gen) chance(p float64) bool  { return g.r.Float64() < p }
func (g gen) pick(l []string) string { return l[g.r.IntN(len(l))] }
func (g gen) intn(n int) int         { return g.r.IntN(n) }
func (g gen) uuid() string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], g.r.Uint64())
	binary.BigEndian.PutUint64(u[8:], g.r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

// formatUUID writes u in the 8-4-4-4-12 form.
func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// head is what search needs of generated dataset i. It comes from its own
// random stream, so a portal's index is built without generating the rest.
type head struct {
	id, name, title, place string
	k                      int
	org                    orgSpec
	sub                    subject
	created, modified      time.Time
	private                bool
	license                int // index in dqLicenses; -1: empty; -2: absent
}

func generateHead(i int, seed int64, o GenOptions) head {
	g := gen{rand.New(rand.NewPCG(uint64(seed), uint64(i)*0x9e3779b97f4a7c15+1))}
	h := head{id: g.uuid()}

	// Publishers follow a long tail: the first ones hold most datasets.
	u := g.r.Float64()
	h.k = int(float64(o.Orgs) * u * u * u)
	h.org = orgAt(h.k)
	h.sub = subjects[g.intn(len(subjects))]
	h.place = strings.TrimPrefix(strings.TrimPrefix(h.org.title, "Ville de "), "Ministère ")
	h.title = h.sub.title
	switch g.intn(4) {
	case 0:
		h.title += " - " + h.place
	case 1:
		h.title += " " + strconv.Itoa(2010+g.intn(17))
	case 2:
		h.title += " (" + h.place + ")"
	}
	name := slug(h.title)
	if len(name) > 80 {
		name = name[:80]
	}
	h.name = strings.Trim(name, "-") + "-" + h.id[:8]

	span := o.Now.Sub(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC))
	h.created = o.Now.Add(-time.Duration(g.r.Int64N(int64(span)))).Truncate(time.Microsecond)
	h.modified = h.created.Add(time.Duration(g.r.Int64N(int64(o.Now.Sub(h.created)) + 1))).Truncate(time.Microsecond)
	h.private = o.PrivateShare > 0 && g.chance(o.PrivateShare)

	// Licence: mostly cc-by, as Données Québec expects.
	switch x := g.r.Float64(); {
	case x < 0.74:
		h.license = 0
	case x < 0.86:
		h.license = 1 // CC0-1.0
	case x < 0.90:
		h.license = 3 // cc-by-nc
	case x < 0.93:
		h.license = 2 // cc-by-sa
	case x < 0.95:
		h.license = 5 // OGL-Canada-2.0
	case x < 0.97:
		h.license = -1
	default:
		h.license = -2
	}
	return h
}

// entry returns the search index entry of a generated head.
func (h head) entry() *entry {
	e := &entry{id: h.id, name: h.name, title: strings.ToLower(h.title), org: h.org.name,
		orgID: uuidFrom("org:" + h.org.name), state: "active", private: h.private,
		created: h.created, modified: h.modified, partial: true}
	if h.license >= 0 {
		e.license = dqLicenses[h.license].id
	}
	return e
}

func generateOne(i int, seed int64, o GenOptions) map[string]any {
	h := generateHead(i, seed, o)
	g := gen{rand.New(rand.NewPCG(uint64(seed)^0x5851f42d4c957f2d, uint64(i)*0x9e3779b97f4a7c15+1))}
	id, org, sub, place, created, modified := h.id, h.org, h.sub, h.place, h.created, h.modified
	orgDict := GeneratedOrganization(h.k)

	pkg := make(map[string]any, 48)
	pkg["id"] = id
	pkg["name"] = h.name
	pkg["title"] = h.title
	pkg["type"] = "dataset"
	pkg["state"] = "active"
	pkg["private"] = h.private
	pkg["version"] = nil
	pkg["maintainer"] = nil
	pkg["maintainer_email"] = nil
	pkg["creator_user_id"] = uuidFrom("user:" + org.name)
	pkg["owner_org"] = orgDict["id"]
	pkg["organization"] = orgDict
	pkg["extras_organisation_principale"] = org.principale
	pkg["metadata_created"] = FormatTime(created)
	pkg["metadata_modified"] = FormatTime(modified)
	pkg["relationships_as_object"] = []any{}
	pkg["relationships_as_subject"] = []any{}
	pkg["isopen"] = false
	pkg["url"] = ""
	pkg["extras"] = []any{}

	// Description: mostly a few sentences, some short or empty.
	switch x := g.r.Float64(); {
	case x < 0.04:
		pkg["notes"] = ""
	case x < 0.10:
		pkg["notes"] = sub.title + "."
	default:
		var b strings.Builder
		b.WriteString(g.pick(notesLead))
		b.WriteString(lowerFirst(sub.title))
		b.WriteString(" sur le territoire de " + place + ".")
		for j := 0; j < 1+g.intn(3); j++ {
			b.WriteString(g.pick(notesTail))
		}
		pkg["notes"] = b.String()
	}

	switch {
	case h.license >= 0:
		setLicense(pkg, dqLicenses[h.license])
	case h.license == -1:
		pkg["license_id"] = ""
		pkg["license_title"] = ""
	}

	// Contact.
	pkg["author"] = g.pick(units)
	switch x := g.r.Float64(); {
	case x < 0.80:
		pkg["author_email"] = "donneesouvertes@" + org.domain
	case x < 0.86:
		pkg["author_email"] = ""
	case x < 0.90:
		pkg["author_email"] = nil
	case x < 0.93:
		pkg["author_email"] = "donneesouvertes at " + org.domain
	case x < 0.96:
		pkg["author_email"] = "info@"
	default:
		pkg["author"] = ""
		pkg["author_email"] = "N/A"
	}

	// Update frequency: the schema's vocabulary, with gaps and stray values.
	switch x := g.r.Float64(); {
	case x < 0.86:
		pkg["update_frequency"] = g.pick(UpdateFrequencies)
	case x < 0.92:
		pkg["update_frequency"] = ""
	case x < 0.95:
		// absent
	default:
		pkg["update_frequency"] = g.pick([]string{"mensuel", "annuel", "archives", "Monthly", "continu"})
	}

	if x := g.r.Float64(); x < 0.94 {
		pkg["language"] = "FR"
	} else if x < 0.985 {
		pkg["language"] = "FR_EN"
	}
	if g.chance(0.97) {
		pkg["ext_spatial"] = org.spatial
	}

	// Temporal coverage: AAAA-MM-JJ / AAAA-MM-JJ, a single date, or badly formed.
	y := 2005 + g.intn(20)
	switch x := g.r.Float64(); {
	case x < 0.45:
		pkg["temporal"] = fmt.Sprintf("%d-01-01 / %d-12-31", y, y+g.intn(3))
	case x < 0.55:
		pkg["temporal"] = fmt.Sprintf("%d-%02d-%02d", y, 1+g.intn(12), 1+g.intn(28))
	case x < 0.85:
		pkg["temporal"] = ""
	case x < 0.90:
		pkg["temporal"] = fmt.Sprintf("%d à %d", y, y+2)
	case x < 0.95:
		pkg["temporal"] = fmt.Sprintf("01/01/%d - 31/12/%d", y, y)
	}

	switch x := g.r.Float64(); {
	case x < 0.40:
		pkg["methodologie"] = "Les coordonnées sont exprimées dans le système EPSG:4326. Les données proviennent des systèmes de gestion internes."
	case x < 0.55:
		pkg["methodologie"] = "\n\n"
	default:
		pkg["methodologie"] = ""
	}
	if g.chance(0.3) {
		pkg["url"] = "https://www." + org.domain + "/donnees-ouvertes"
	}
	if g.chance(0.5) {
		pkg["spatial_data"] = map[bool]string{true: "Oui", false: "Non"}[sub.kind == "geo"]
	}

	// Tags: capitalised words from the subject, some sloppy, some missing.
	var tags []any
	if !g.chance(0.05) {
		n := 1 + g.intn(len(sub.tags))
		for _, t := range sub.tags[:n] {
			switch x := g.r.Float64(); {
			case x < 0.06:
				t = strings.ToUpper(t)
			case x < 0.12:
				t = strings.ToLower(t)
			case x < 0.14:
				t += "."
			}
			tags = append(tags, map[string]any{"id": uuidFrom("tag:" + t), "name": t, "display_name": t,
				"state": "active", "vocabulary_id": nil})
		}
		if g.chance(0.2) {
			tags = append(tags, map[string]any{"id": uuidFrom("tag:" + place), "name": place, "display_name": place,
				"state": "active", "vocabulary_id": nil})
		}
	}
	if tags == nil {
		tags = []any{}
	}
	pkg["tags"] = tags
	pkg["num_tags"] = len(tags)

	var groups []any
	if !g.chance(0.06) {
		groups = append(groups, groupDict(dqGroups[sub.group]))
		if g.chance(0.15) {
			if other := g.intn(len(dqGroups)); other != sub.group {
				groups = append(groups, groupDict(dqGroups[other]))
			}
		}
	}
	if groups == nil {
		groups = []any{}
	}
	pkg["groups"] = groups

	// Resources.
	nres := []int{1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 8, 12}[g.intn(24)]
	if g.chance(0.01) {
		nres = 0
	}
	res := make([]any, 0, nres)
	for pos := 0; pos < nres; pos++ {
		res = append(res, g.resource(o, id, sub, pos, created, modified))
	}
	pkg["resources"] = res
	pkg["num_resources"] = len(res)
	return pkg
}

func setLicense(pkg map[string]any, l license) {
	pkg["license_id"] = l.id
	pkg["license_title"] = l.title
	pkg["license_url"] = l.url
	pkg["isopen"] = l.open
}

var kindFormats = map[string][]string{
	"tab":  {"CSV", "CSV", "CSV", "XLSX", "JSON", "XML"},
	"geo":  {"GEOJSON", "SHP", "CSV", "KML", "GPKG", "GeoJSON"},
	"doc":  {"PDF", "PDF", "XLSX", "DOCX"},
	"api":  {"JSON", "API", "CSV", "XML"},
	"gtfs": {"GTFS", "ZIP"},
}

var formatExt = map[string]string{"CSV": "csv", "XLSX": "xlsx", "JSON": "json", "XML": "xml", "GEOJSON": "geojson",
	"SHP": "zip", "KML": "kml", "GPKG": "gpkg", "PDF": "pdf", "DOCX": "docx", "API": "json", "GTFS": "zip", "ZIP": "zip",
	"HTML": "html"}

var formatMime = map[string]string{"CSV": "text/csv", "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"JSON": "application/json", "XML": "application/xml", "GEOJSON": "application/geo+json", "SHP": "application/zip",
	"KML": "application/vnd.google-earth.kml+xml", "PDF": "application/pdf", "ZIP": "application/zip", "GTFS": "application/zip"}

func (g gen) resource(o GenOptions, pkgID string, sub subject, pos int, created, modified time.Time) map[string]any {
	rid := g.uuid()
	format := g.pick(kindFormats[sub.kind])
	rtype := "donnees"
	name := fmt.Sprintf("%s (%s)", sub.title, format)
	switch {
	case pos > 0 && g.chance(0.15):
		format, rtype, name = "PDF", "support", "Dictionnaire de données"
	case sub.kind == "doc":
		rtype = "support"
	case sub.kind == "api" && format == "API":
		rtype = "web"
		name = "Service web - " + sub.title
	case sub.kind == "geo" && g.chance(0.1):
		format, rtype, name = "HTML", "cartes", "Carte interactive"
	}
	upper := strings.ToUpper(format)
	ext := formatExt[upper]
	if ext == "" {
		ext = "bin"
	}
	mime, hasMime := formatMime[upper]

	// Declared format defects: lower case, stray dot, empty.
	declared := format
	switch x := g.r.Float64(); {
	case x < 0.06:
		declared = strings.ToLower(format)
	case x < 0.08:
		declared = "." + strings.ToLower(format)
	case x < 0.11:
		declared = ""
	}
	// resource_type defects: the forbidden file/file.upload, or missing.
	switch x := g.r.Float64(); {
	case x < 0.02:
		rtype = "file"
	case x < 0.03:
		rtype = "file.upload"
	case x < 0.05:
		rtype = ""
	}

	path := rid + "/" + subjectSlugs[sub.title] + "." + ext
	url := ""
	switch x := g.r.Float64(); {
	case x < 0.03:
		url = o.LinkBase + "/files/404/" + path
	case x < 0.04:
		url = o.LinkBase + "/files/500/" + path
	case x < 0.045:
		url = o.LinkBase + "/files/410/" + path
	case x < 0.05:
		url = o.LinkBase + "/files/403/" + path
	case x < 0.07:
		url = o.LinkBase + "/files/html/" + path // a landing page where a file was declared
	case x < 0.08:
		url = o.LinkBase + fmt.Sprintf("/files/redirect/%d/", 1+g.intn(4)) + path
	case x < 0.085:
		url = o.LinkBase + "/files/nohead/" + path
	case x < 0.09:
		url = o.LinkBase + "/files/empty/" + path
	case x < 0.10:
		url = "ftp://transfert.example.qc.ca/donnees/" + path
	case x < 0.105:
		url = ""
	case x < 0.11:
		url = " " + o.LinkBase + "/files/" + path + " "
	default:
		url = o.LinkBase + "/files/" + path
	}

	rcreated := created.Add(time.Duration(g.r.Int64N(int64(modified.Sub(created)) + 1))).Truncate(time.Microsecond)
	r := make(map[string]any, 32)
	r["id"] = rid
	r["package_id"] = pkgID
	r["position"] = pos
	r["name"] = name
	r["format"] = declared
	r["url"] = url
	r["url_type"] = nil
	r["state"] = "active"
	r["created"] = FormatTime(rcreated)
	r["last_modified"] = nil
	r["metadata_modified"] = FormatTime(modified)
	r["hash"] = ""
	r["cache_url"] = nil
	r["mimetype_inner"] = nil
	r["datastore_active"] = upper == "CSV" && g.chance(0.5)
	if g.chance(0.5) {
		r["url_type"] = "upload"
	}
	if hasMime && g.chance(0.6) {
		r["mimetype"] = mime
	} else {
		r["mimetype"] = nil
	}
	if g.chance(0.45) {
		r["last_modified"] = FormatTime(rcreated.Add(time.Duration(g.r.Int64N(int64(modified.Sub(rcreated)) + 1))).Truncate(time.Microsecond))
	}
	if !g.chance(0.1) {
		r["description"] = fmt.Sprintf("Fichier %s du jeu de données « %s ».", upper, sub.title)
	} else {
		r["description"] = ""
	}
	if rtype != "" {
		r["resource_type"] = rtype
	}
	bytes := int64(1000 + g.r.Int64N(50_000_000))
	switch x := g.r.Float64(); {
	case x < 0.5:
		r["size"] = bytes
	case x < 0.65:
		r["size"] = fmt.Sprint(bytes)
	default:
		r["size"] = nil
	}
	if g.chance(0.6) {
		r["taille_entier"] = int(bytes / 1_000_000)
	}
	if rtype == "donnees" || rtype == "web" {
		if g.chance(0.9) {
			for _, f := range RelidiFields {
				switch x := g.r.Float64(); {
				case x < 0.75:
					r[f] = "oui"
				case x < 0.85:
					r[f] = "non"
				default:
					r[f] = "n/a"
				}
			}
			r["relidi_description_champs"] = RelidiDescriptionChamps[[]int{0, 0, 1, 1, 1, 2}[g.intn(6)]]
		}
		if g.chance(0.1) {
			r["relidi_ressource_complementaire"] = []any{"relidi.rescom"}
		} else {
			r["relidi_ressource_complementaire"] = []any{}
		}
	}
	return r
}

// subjectSlugs caches slug(title) of every subject.
var subjectSlugs = func() map[string]string {
	m := make(map[string]string, len(subjects))
	for _, s := range subjects {
		m[s.title] = slug(s.title)
	}
	return m
}()

// lowerFirst lower-cases the first letter of s.
func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

// slug turns a French title into a CKAN name: lower case ASCII, dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range accents.Replace(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

var accents = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae", "–", "-")

// uuidFrom derives a stable UUID-shaped id (version 5 layout) from a string.
func uuidFrom(s string) string {
	h := sha1.Sum([]byte(s))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return formatUUID([16]byte(h[:16]))
}
