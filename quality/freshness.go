package quality

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// Normalised frequencies that cannot be late.
var notScheduled = map[string]bool{"continuous": true, "irregular": true, "asNeeded": true, "notPlanned": true}

// frequencyAliases maps declared values (Données Québec codes, EU frequency
// authority codes and labels, Dublin Core collection frequencies, ISO 19115
// maintenance codes, HDX's labels, French and English words) to vigie's
// normalised frequency. "" means declared but unusable (unknown). Keys are
// compared after freqKey: lower case, no accents, no spaces, "_" or "-".
var frequencyAliases = compactKeys(map[string]string{
	"hourly": "hourly", "horaire": "hourly", "bihourly": "daily", "trihourly": "daily", "every hour": "hourly", "toutes les heures": "hourly",
	"daily": "daily", "quotidien": "daily", "quotidienne": "daily", "daily_2": "daily", "journalier": "daily", "journalière": "daily",
	"every day": "daily", "twice a day": "daily", "chaque jour": "daily", "tous les jours": "daily",
	"weekly": "weekly", "hebdomadaire": "weekly", "weekly_2": "weekly", "weekly_3": "weekly", "semiweekly": "weekly", "bihebdomadaire": "weekly",
	"twice a week": "weekly", "three times a week": "weekly", "threetimesaweek": "weekly", "every week": "weekly", "chaque semaine": "weekly",
	"fortnightly": "fortnightly", "biweekly": "fortnightly", "tous les quinze jours": "fortnightly", "aux deux semaines": "fortnightly",
	"every two weeks": "fortnightly", "monthly_2": "fortnightly", "monthly_3": "fortnightly", "semimonthly": "fortnightly",
	"twice a month": "fortnightly", "three times a month": "fortnightly", "threetimesamonth": "fortnightly", "bimensuel": "fortnightly", "bimensuelle": "fortnightly",
	"monthly": "monthly", "mensuel": "monthly", "mensuelle": "monthly", "every month": "monthly", "chaque mois": "monthly", "tous les mois": "monthly",
	"bimonthly": "bimonthly", "bimestriel": "bimonthly", "bimestrielle": "bimonthly", "every two months": "bimonthly",
	"quarterly": "quarterly", "trimestriel": "quarterly", "trimestrielle": "quarterly", "every three months": "quarterly",
	"annual_3": "triannual", "triannual": "triannual", "three times a year": "triannual", "threetimesayear": "triannual", "every four months": "triannual",
	"semiannual": "semiannual", "semi-annuel": "semiannual", "semiannuel": "semiannual", "semestriel": "semiannual",
	"semestrielle": "semiannual", "annual_2": "semiannual", "biannually": "semiannual", "biannual": "semiannual", "semiannually": "semiannual",
	"twice a year": "semiannual", "every six months": "semiannual", "half-yearly": "semiannual",
	"annual": "annual", "annually": "annual", "yearly": "annual", "annuel": "annual", "annuelle": "annual", "every year": "annual",
	"chaque année": "annual", "tous les ans": "annual",
	"biennial": "biennial", "biennially": "biennial", "bisannuel": "biennial", "biennal": "biennial", "biennale": "biennial", "au deux ans": "biennial",
	"aux deux ans": "biennial", "every two years": "biennial", "tous les deux ans": "biennial",
	"triennial": "triennial", "triennially": "triennial", "triennal": "triennial", "triennale": "triennial", "au trois ans": "triennial", "aux trois ans": "triennial",
	"every three years": "triennial",
	"quinquennial":      "quinquennial", "quinquennal": "quinquennial", "quinquennale": "quinquennial", "every five years": "quinquennial",
	"continuous": "continuous", "continual": "continuous", "cont": "continuous", "update_cont": "continuous", "temps réel": "continuous",
	"continu": "continuous", "continue": "continuous", "real-time": "continuous", "realtime": "continuous", "live": "continuous",
	"continuously updated": "continuous", "en continu": "continuous",
	"irregular": "irregular", "irreg": "irregular", "irrégulier": "irregular", "irrégulière": "irregular", "irregulier": "irregular",
	"asneeded": "asNeeded", "as needed": "asNeeded", "as required": "asNeeded", "au besoin": "asNeeded", "adhoc": "asNeeded", "ad hoc": "asNeeded",
	"selon les besoins": "asNeeded",
	"notplanned":        "notPlanned", "not planned": "notPlanned", "never": "notPlanned", "non planifiée": "notPlanned", "non planifié": "notPlanned",
	"discontinued": "notPlanned", "archives": "notPlanned", "en archives": "notPlanned", "jamais": "notPlanned", "no longer updated": "notPlanned",
	"decennial": "notPlanned", "quadrennial": "notPlanned", "bidecennial": "notPlanned", "tridecennial": "notPlanned",
	"unknown": "", "other": "", "op_datpro": "", "inconnue": "", "inconnu": "", "autre": "", "periodic": "", "not specified": "",
	// ISO 19115 MD_MaintenanceFrequencyCode by its numeric code.
	"001": "continuous", "002": "daily", "003": "weekly", "004": "fortnightly", "005": "monthly", "006": "quarterly",
	"007": "semiannual", "008": "annual", "009": "asNeeded", "010": "irregular", "011": "notPlanned", "012": "",
})

func compactKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[freqKey(k)] = v
	}
	return out
}

var unaccent = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c", "î", "i", "ï", "i", "ô", "o", "û", "u", "ù", "u")

// freqKey folds a declared value for lookup: lower case, no accents, no
// spaces, "_" or "-" ("As_Needed", "as needed" and "asNeeded" meet).
func freqKey(v string) string {
	v = unaccent.Replace(strings.ToLower(v))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '\t', '.':
			return -1
		}
		return r
	}, v)
}

// hdxDays are HDX's special day counts (hdx-python-api's update_frequencies,
// hdx-data-freshness): Live, Never and As needed have no deadline.
var hdxDays = map[int]string{0: "continuous", -1: "notPlanned", -2: "asNeeded"}

// NormalizeFrequency maps a declared frequency (a code, an EU authority or
// Dublin Core URI, an ISO 8601 duration or repeating interval, a number of
// days as HDX declares them, a French or English label, or a bilingual
// "Annually | Annuel") to vigie's normalised name; ok is false when the value
// is not recognised or says the frequency is unknown.
func NormalizeFrequency(v string) (norm string, ok bool) {
	v = strings.TrimSpace(unlist(v))
	if v == "" {
		return "", false
	}
	if strings.HasPrefix(v, "{") { // a multilingual dict: {"en": "Annually", "fr": "Annuel"}
		var m map[string]string
		if json.Unmarshal([]byte(v), &m) != nil {
			return "", false
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if n, ok := NormalizeFrequency(m[k]); ok {
				return n, true
			}
		}
		return "", false
	}
	if strings.Contains(v, "|") { // bilingual labels: "Annually | Annuel"
		for _, part := range strings.Split(v, "|") {
			if n, ok := NormalizeFrequency(part); ok {
				return n, true
			}
		}
		return "", false
	}
	if i := strings.LastIndex(v, "/frequency/"); i >= 0 {
		v = v[i+len("/frequency/"):]
	} else if strings.HasPrefix(v, "http") {
		if i := strings.LastIndexAny(v, "/#"); i >= 0 {
			v = v[i+1:]
		}
	}
	if n, ok := frequencyAliases[v]; ok { // already folded: "monthly", "annual"
		return n, n != ""
	}
	if n, ok := frequencyAliases[freqKey(v)]; ok {
		return n, n != ""
	}
	if d, err := strconv.Atoi(v); err == nil && len(v) < 7 { // HDX: a number of days
		if n, ok := hdxDays[d]; ok {
			return n, true
		}
		if d > 0 {
			return nearestFrequency(float64(d)), true
		}
		return "", false
	}
	if d, ok := isoDuration(v); ok {
		return nearestFrequency(d), true
	}
	return "", false
}

// isoDuration reads ISO 8601 durations such as P1Y, P3M, P1W, P1D, PT1H,
// P1Y6M or P1DT12H, and repeating intervals R/P1Y or R5/P1M.
func isoDuration(v string) (days float64, ok bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if strings.HasPrefix(v, "R") { // R/P1Y, R12/P1M: a repeating interval
		i := strings.IndexByte(v, '/')
		if i < 0 {
			return 0, false
		}
		if _, err := strconv.Atoi(v[1:i]); i > 1 && err != nil {
			return 0, false
		}
		v = v[i+1:]
	}
	if !strings.HasPrefix(v, "P") || len(v) < 3 {
		return 0, false
	}
	dateUnits := map[byte]float64{'Y': 365, 'M': 30, 'W': 7, 'D': 1}
	timeUnits := map[byte]float64{'H': 1.0 / 24, 'M': 1.0 / 1440, 'S': 1.0 / 86400}
	units := dateUnits
	body := v[1:]
	num := ""
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == 'T':
			if num != "" {
				return 0, false
			}
			units = timeUnits
		case c >= '0' && c <= '9' || c == '.' || c == ',':
			num += string(c)
		default:
			u, known := units[c]
			n, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", "."), 64)
			if !known || err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
				return 0, false
			}
			days += n * u
			num = ""
		}
	}
	if num != "" || !(days > 0) || math.IsInf(days, 0) {
		return 0, false
	}
	return days, true
}

var frequencyDays = []struct {
	name string
	days float64
}{
	{"hourly", 1.0 / 24}, {"daily", 1}, {"weekly", 7}, {"fortnightly", 14}, {"monthly", 30}, {"bimonthly", 60},
	{"quarterly", 90}, {"triannual", 120}, {"semiannual", 180}, {"annual", 365}, {"biennial", 730}, {"triennial", 1095},
	{"quinquennial", 1825},
}

// nearestFrequency picks the normalised frequency closest to an interval
// (on a log scale).
func nearestFrequency(days float64) string {
	best, bestD := "", math.Inf(1)
	for _, f := range frequencyDays {
		d := math.Abs(math.Log(f.days) - math.Log(days))
		if d < bestD {
			best, bestD = f.name, d
		}
	}
	if days > 1825*1.5 {
		return "notPlanned"
	}
	return best
}

// FrequencyFields are the fields portals declare a dataset's update
// frequency in, in order of preference: Données Québec and ckanext-scheming
// (update_frequency), DCAT-AP as ckanext-dcat stores it (frequency,
// accrual_periodicity, accrualPeriodicity), HDX (data_update_frequency,
// days), open.canada.ca's older registry (maintenance_and_update_frequency),
// data.gov.uk (frequency-of-update, UpdateFrequency), data.gov.au
// (update_freq) and ISO 19115 harvesters (maintenance_frequency). A profile
// may list its own (freshness.fields); this list is the default.
var FrequencyFields = []string{"update_frequency", "frequency", "accrual_periodicity", "accrualPeriodicity",
	"data_update_frequency", "maintenance_and_update_frequency", "frequency-of-update", "update_freq",
	"maintenance_frequency", "dct_accrualPeriodicity"}

var frequencyFieldKeys = func() map[string]int {
	m := map[string]int{}
	for i, f := range FrequencyFields {
		m[freqKey(f)] = i
	}
	return m
}()

// DeclaredFrequency is what a dataset declares about its update frequency.
type DeclaredFrequency struct {
	Field string // where it was read ("" when nothing is declared)
	Raw   string // as declared
	Norm  string // vigie's normalised frequency, "" when not understood
}

// ReadFrequency is vigie's one reader of a dataset's declared update
// frequency, used by scoring, listings and reports: the first filled field
// of fields (FrequencyFields when nil), by exact name, then by a name that
// differs only in case or separators ("UpdateFrequency", "update-frequency").
func ReadFrequency(d *vigie.Dataset, fields []string) DeclaredFrequency {
	if len(fields) == 0 {
		fields = FrequencyFields
	}
	best, bestField, bestRaw := len(fields), "", ""
	for i, f := range fields {
		if v := strings.TrimSpace(d.Extra(f)); v != "" {
			best, bestField, bestRaw = i, f, v
			break
		}
	}
	if best > 0 {
		// Other spellings of the same field names, in the list's order.
		keys := frequencyFieldKeys
		if len(fields) != len(FrequencyFields) || &fields[0] != &FrequencyFields[0] {
			keys = make(map[string]int, len(fields))
			for i, f := range fields {
				keys[freqKey(f)] = i
			}
		}
		exact := bestRaw != ""
		for k, v := range d.Extras {
			if !mayNameFrequency(k) {
				continue
			}
			i, ok := keys[freqKey(k)]
			// Lower index wins; between two spellings of one field, the
			// smaller name, so that the choice does not depend on map order.
			if !ok || i > best || i == best && (exact || k >= bestField) {
				continue
			}
			if v = strings.TrimSpace(v); v != "" {
				best, bestField, bestRaw, exact = i, k, v, false
			}
		}
	}
	if bestRaw == "" {
		return DeclaredFrequency{}
	}
	n, _ := NormalizeFrequency(bestRaw)
	return DeclaredFrequency{Field: bestField, Raw: bestRaw, Norm: n}
}

// mayNameFrequency is a cheap filter before freqKey: every frequency field
// name says "freq" or "periodicity", in some case.
func mayNameFrequency(k string) bool {
	return containsFold(k, "freq") || containsFold(k, "periodicity")
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// declaredFrequency reads the frequency with the profile's fields; it
// returns the normalised value ("" if unrecognised) and the raw value.
func (r *run) declaredFrequency() (norm, raw string) {
	df := ReadFrequency(r.d, r.p.Freshness.Fields)
	return df.Norm, df.Raw
}

// Evidence names for Assessment.FreshnessEvidence.
const (
	EvidenceHTTP         = "http_last_modified"
	EvidenceResModified  = "resource_last_modified"
	EvidenceResCreated   = "resource_created"
	EvidenceMetaModified = "metadata_modified"
)

// lastUpdate returns the best evidence of the data's last update: the latest
// date among the resources (the link checker's Last-Modified header when it
// is plausible and the link served a file, not an HTML page, else the resource's last_modified, else its created), else the
// dataset's metadata_modified, which any metadata edit moves.
func (r *run) lastUpdate() (time.Time, string) {
	var best time.Time
	kind := ""
	future := r.now.Add(24 * time.Hour)
	consider := func(t *time.Time, k string) bool {
		if t == nil || t.IsZero() || t.After(future) {
			return false
		}
		if t.After(best) {
			best, kind = *t, k
		}
		return true
	}
	for i := range r.d.Resources {
		x := &r.d.Resources[i]
		// A landing page's Last-Modified dates the web page, never the data.
		if lr, ok := r.links[x.URL]; ok && lr.LastModified != nil && lr.Class == vigie.LinkOK && !servedHTML(&lr) {
			// A Last-Modified equal to the check time is a page generated on the fly, not evidence.
			if lr.CheckedAt.IsZero() || lr.CheckedAt.Sub(*lr.LastModified) > time.Minute {
				if consider(lr.LastModified, EvidenceHTTP) {
					continue
				}
			}
		}
		if !consider(x.LastModified, EvidenceResModified) {
			consider(x.Created, EvidenceResCreated)
		}
	}
	if kind == "" {
		mm := r.d.MetadataModified
		if consider(&mm, EvidenceMetaModified) {
			return best, kind
		}
	}
	return best, kind
}

// FreshnessStatus compares an age with the thresholds of a frequency
// (due, overdue, delinquent), as HDX does: each threshold reached moves the
// status one step.
func FreshnessStatus(age time.Duration, th [3]time.Duration) vigie.Freshness {
	switch {
	case age >= th[2]:
		return vigie.FreshDelinquent
	case age >= th[1]:
		return vigie.FreshOverdue
	case age >= th[0]:
		return vigie.FreshDue
	}
	return vigie.FreshFresh
}

var evidenceLabel = map[string]vigie.Text{
	EvidenceHTTP:         {FR: "l'en-tête Last-Modified du fichier", EN: "the file's Last-Modified header"},
	EvidenceResModified:  {FR: "la date de mise à jour de la ressource", EN: "the resource's last_modified date"},
	EvidenceResCreated:   {FR: "la date de création de la ressource", EN: "the resource's created date"},
	EvidenceMetaModified: {FR: "la date de modification des métadonnées (toute modification la déplace)", EN: "the metadata_modified date (any edit moves it)"},
}

var frequencyLabel = map[string]vigie.Text{
	"hourly": {FR: "horaire", EN: "hourly"}, "daily": {FR: "quotidienne", EN: "daily"}, "weekly": {FR: "hebdomadaire", EN: "weekly"},
	"fortnightly": {FR: "aux deux semaines", EN: "fortnightly"}, "monthly": {FR: "mensuelle", EN: "monthly"},
	"bimonthly": {FR: "bimestrielle", EN: "every two months"}, "quarterly": {FR: "trimestrielle", EN: "quarterly"},
	"triannual": {FR: "quadrimestrielle", EN: "every four months"}, "semiannual": {FR: "semestrielle", EN: "semiannual"},
	"annual": {FR: "annuelle", EN: "annual"}, "biennial": {FR: "aux deux ans", EN: "biennial"}, "triennial": {FR: "aux trois ans", EN: "triennial"},
	"quinquennial": {FR: "aux cinq ans", EN: "quinquennial"}, "continuous": {FR: "en continu", EN: "continuous"},
	"irregular": {FR: "irrégulière", EN: "irregular"}, "asNeeded": {FR: "au besoin", EN: "as needed"}, "notPlanned": {FR: "non planifiée", EN: "not planned"},
}

func (r *run) freshness() opt {
	a := r.out
	norm, raw := r.declaredFrequency()
	a.Frequency = norm
	when, kind := r.lastUpdate()
	a.FreshnessEvidence = kind
	switch {
	case raw == "":
		a.FreshnessStatus = vigie.FreshUnknown
		r.add(vigie.Finding{Rule: "FRESH-NO-FREQUENCY", Dimension: vigie.DimFreshness, Severity: vigie.SevInfo,
			Message: tx("Aucune fréquence de mise à jour n'est déclarée : la fraîcheur ne peut pas être évaluée.", "No update frequency is declared: freshness cannot be assessed."),
			Hint:    tx("Déclarez la fréquence de mise à jour prévue.", "Declare the planned update frequency.")})
		return none
	case norm == "":
		a.FreshnessStatus = vigie.FreshUnknown
		r.add(vigie.Finding{Rule: "FRESH-FREQUENCY-UNKNOWN", Dimension: vigie.DimFreshness, Severity: vigie.SevInfo,
			Message: tx("La fréquence déclarée « %s » n'est pas reconnue : la fraîcheur ne peut pas être évaluée.", "Declared frequency %q is not recognised: freshness cannot be assessed.", raw),
			Hint:    tx("Utilisez une valeur du vocabulaire (annual, monthly, asNeeded…).", "Use a value from the vocabulary (annual, monthly, asNeeded…).")})
		return none
	case notScheduled[norm]:
		a.FreshnessStatus = vigie.FreshNotApplicable
		r.add(vigie.Finding{Rule: "FRESH-NOT-SCHEDULED", Dimension: vigie.DimFreshness, Severity: vigie.SevInfo,
			Message: vigie.Text{FR: "La fréquence déclarée est « " + frequencyLabel[norm].FR + " » : aucune échéance de mise à jour à vérifier.",
				EN: "The declared frequency is \"" + frequencyLabel[norm].EN + "\": there is no update deadline to check."},
			Hint: tx("Si les données suivent un calendrier, déclarez-le pour que leur fraîcheur soit suivie.", "If the data follow a schedule, declare it so their freshness is tracked.")})
		return none
	case kind == "":
		a.FreshnessStatus = vigie.FreshUnknown
		r.add(vigie.Finding{Rule: "FRESH-NO-DATE", Dimension: vigie.DimFreshness, Severity: vigie.SevInfo,
			Message: tx("Aucune date de mise à jour n'est connue : la fraîcheur ne peut pas être évaluée.", "No update date is known: freshness cannot be assessed."),
			Hint:    tx("Vérifiez que le portail renseigne les dates des ressources.", "Check that the portal fills in the resources' dates.")})
		return none
	}
	th, ok := r.p.thresholds[norm]
	if !ok {
		a.FreshnessStatus = vigie.FreshUnknown
		r.add(vigie.Finding{Rule: "FRESH-NO-THRESHOLD", Dimension: vigie.DimFreshness, Severity: vigie.SevInfo,
			Message: tx("Le profil ne fixe pas de délai pour la fréquence « %s ».", "The profile sets no deadline for frequency %q.", norm),
			Hint:    tx("Ajoutez cette fréquence aux seuils du profil.", "Add this frequency to the profile's thresholds.")})
		return none
	}
	age := r.now.Sub(when)
	if age < 0 {
		age = 0
	}
	st := FreshnessStatus(age, th)
	a.FreshnessStatus = st
	v := r.p.Freshness.StatusScores[st]
	if st == vigie.FreshFresh {
		return score(v)
	}
	cents := int(math.Round((100 - v) * 100))
	days := int(age.Hours() / 24)
	fl := frequencyLabel[norm]
	ev := evidenceLabel[kind]
	date := when.UTC().Format("2006-01-02")
	var sevr vigie.Severity
	var msg vigie.Text
	switch st {
	case vigie.FreshDue:
		sevr = vigie.SevWarning
		msg = vigie.Text{
			FR: "Mise à jour attendue : fréquence " + fl.FR + ", dernière mise à jour le " + date + " (il y a " + nWords(days, false, "jour", "jours") + ", d'après " + ev.FR + ").",
			EN: "Update due: " + fl.EN + " frequency, last updated " + date + " (" + nWords(days, true, "day", "days") + " ago, from " + ev.EN + ")."}
	case vigie.FreshOverdue:
		sevr = vigie.SevError
		msg = vigie.Text{
			FR: "Mise à jour en retard : fréquence " + fl.FR + ", dernière mise à jour le " + date + " (il y a " + nWords(days, false, "jour", "jours") + ", d'après " + ev.FR + ").",
			EN: "Update overdue: " + fl.EN + " frequency, last updated " + date + " (" + nWords(days, true, "day", "days") + " ago, from " + ev.EN + ")."}
	default:
		sevr = vigie.SevError
		msg = vigie.Text{
			FR: "Mise à jour très en retard : fréquence " + fl.FR + ", dernière mise à jour le " + date + " (il y a " + nWords(days, false, "jour", "jours") + ", d'après " + ev.FR + ").",
			EN: "Update long overdue (delinquent): " + fl.EN + " frequency, last updated " + date + " (" + nWords(days, true, "day", "days") + " ago, from " + ev.EN + ")."}
	}
	r.add(vigie.Finding{Rule: "FRESH-" + strings.ToUpper(string(st)), Dimension: vigie.DimFreshness, Severity: sevr, Points: float64(cents) / 100,
		Message: msg,
		Hint: tx("Publiez les données à jour, ou corrigez la fréquence déclarée si elle ne correspond plus au calendrier réel.",
			"Publish up-to-date data, or fix the declared frequency if it no longer matches the real schedule.")})
	return fromCents(10000 - cents)
}

// FrequencyLabel names a normalised frequency in French and English; the
// code itself when it has no label.
func FrequencyLabel(norm string) vigie.Text {
	if t, ok := frequencyLabel[norm]; ok {
		return t
	}
	return vigie.Text{FR: norm, EN: norm}
}

// EvidenceLabel says in French and English which date freshness used.
func EvidenceLabel(kind string) vigie.Text {
	if t, ok := evidenceLabel[kind]; ok {
		return t
	}
	return vigie.Text{FR: kind, EN: kind}
}
