package quality

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// Normalised frequencies that cannot be late.
var notScheduled = map[string]bool{"continuous": true, "irregular": true, "asNeeded": true, "notPlanned": true}

// frequencyAliases maps lower-cased declared values (Données Québec codes,
// EU frequency authority codes, ISO 19115 codes, French and English labels)
// to vigie's normalised frequency. "" means declared but unusable (unknown).
var frequencyAliases = map[string]string{
	"hourly": "hourly", "horaire": "hourly", "bihourly": "daily", "trihourly": "daily",
	"daily": "daily", "quotidien": "daily", "quotidienne": "daily", "daily_2": "daily", "journalier": "daily",
	"weekly": "weekly", "hebdomadaire": "weekly", "weekly_2": "weekly", "weekly_3": "weekly", "semiweekly": "weekly", "bihebdomadaire": "weekly",
	"fortnightly": "fortnightly", "biweekly": "fortnightly", "tous les quinze jours": "fortnightly", "aux deux semaines": "fortnightly",
	"monthly_2": "fortnightly", "monthly_3": "fortnightly", "semimonthly": "fortnightly", "bimensuel": "fortnightly", "bimensuelle": "fortnightly",
	"monthly": "monthly", "mensuel": "monthly", "mensuelle": "monthly",
	"bimonthly": "bimonthly", "bimestriel": "bimonthly", "bimestrielle": "bimonthly",
	"quarterly": "quarterly", "trimestriel": "quarterly", "trimestrielle": "quarterly",
	"annual_3": "triannual", "triannual": "triannual",
	"semiannual": "semiannual", "semi-annual": "semiannual", "semi-annuel": "semiannual", "semiannuel": "semiannual", "semestriel": "semiannual",
	"semestrielle": "semiannual", "annual_2": "semiannual", "biannually": "semiannual", "semi-annually": "semiannual", "semiannually": "semiannual",
	"annual": "annual", "annually": "annual", "yearly": "annual", "annuel": "annual", "annuelle": "annual",
	"biennial": "biennial", "bisannuel": "biennial", "biennal": "biennial", "biennale": "biennial", "au deux ans": "biennial", "aux deux ans": "biennial",
	"triennial": "triennial", "triennal": "triennial", "triennale": "triennial", "au trois ans": "triennial", "aux trois ans": "triennial",
	"quinquennial": "quinquennial", "quinquennal": "quinquennial", "quinquennale": "quinquennial",
	"continuous": "continuous", "continual": "continuous", "cont": "continuous", "update_cont": "continuous", "temps réel": "continuous",
	"continu": "continuous", "continue": "continuous", "real-time": "continuous", "realtime": "continuous", "live": "continuous",
	"irregular": "irregular", "irreg": "irregular", "irrégulier": "irregular", "irreguliere": "irregular", "irrégulière": "irregular",
	"asneeded": "asNeeded", "as_needed": "asNeeded", "as needed": "asNeeded", "as required": "asNeeded", "au besoin": "asNeeded",
	"notplanned": "notPlanned", "not_planned": "notPlanned", "never": "notPlanned", "non planifiée": "notPlanned", "non planifié": "notPlanned",
	"discontinued": "notPlanned", "archives": "notPlanned", "en archives": "notPlanned",
	"decennial": "notPlanned", "quadrennial": "notPlanned", "bidecennial": "notPlanned", "tridecennial": "notPlanned",
	"unknown": "", "other": "", "op_datpro": "", "inconnue": "", "autre": "",
}

// NormalizeFrequency maps a declared frequency (a code, an EU authority URI,
// an ISO 8601 duration or a French or English label) to vigie's normalised
// name; ok is false when the value is not recognised.
func NormalizeFrequency(v string) (norm string, ok bool) {
	v = strings.TrimSpace(unlist(v))
	if v == "" {
		return "", false
	}
	if i := strings.LastIndex(v, "/frequency/"); i >= 0 {
		v = v[i+len("/frequency/"):]
	} else if strings.HasPrefix(v, "http") {
		if i := strings.LastIndexAny(v, "/#"); i >= 0 {
			v = v[i+1:]
		}
	}
	if n, ok := frequencyAliases[strings.ToLower(v)]; ok {
		return n, n != ""
	}
	if d, ok := isoDuration(v); ok {
		return nearestFrequency(d), true
	}
	return "", false
}

// isoDuration reads simple ISO 8601 durations such as P1Y, P3M, P1W, P1D, PT1H.
func isoDuration(v string) (days float64, ok bool) {
	v = strings.ToUpper(v)
	if !strings.HasPrefix(v, "P") || len(v) < 3 {
		return 0, false
	}
	unitDays := map[byte]float64{'Y': 365, 'M': 30, 'W': 7, 'D': 1}
	body := v[1:]
	if strings.HasPrefix(body, "T") {
		body = body[1:]
		unitDays = map[byte]float64{'H': 1.0 / 24, 'M': 1.0 / 1440}
	}
	n, err := strconv.ParseFloat(body[:len(body)-1], 64)
	u, known := unitDays[body[len(body)-1]]
	if err != nil || !known || !(n > 0) || math.IsInf(n, 0) { // !(n > 0) also rejects NaN
		return 0, false
	}
	return n * u, true
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

// declaredFrequency finds the first frequency field the profile lists that
// the dataset fills; it returns the normalised value ("" if unrecognised) and
// the raw value.
func (r *run) declaredFrequency() (norm, raw string) {
	for _, f := range r.p.Freshness.Fields {
		if v := strings.TrimSpace(r.d.Extra(f)); v != "" {
			n, _ := NormalizeFrequency(v)
			return n, v
		}
	}
	return "", ""
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
func FreshnessStatus(age time.Duration, th [3]time.Duration) string {
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
	var sevr string
	var msg vigie.Text
	switch st {
	case vigie.FreshDue:
		sevr = vigie.SevWarning
		msg = vigie.Text{
			FR: "Mise à jour attendue : fréquence " + fl.FR + ", dernière mise à jour le " + date + " (il y a " + itoa(days) + " jours, d'après " + ev.FR + ").",
			EN: "Update due: " + fl.EN + " frequency, last updated " + date + " (" + itoa(days) + " days ago, from " + ev.EN + ")."}
	case vigie.FreshOverdue:
		sevr = vigie.SevError
		msg = vigie.Text{
			FR: "Mise à jour en retard : fréquence " + fl.FR + ", dernière mise à jour le " + date + " (il y a " + itoa(days) + " jours, d'après " + ev.FR + ").",
			EN: "Update overdue: " + fl.EN + " frequency, last updated " + date + " (" + itoa(days) + " days ago, from " + ev.EN + ")."}
	default:
		sevr = vigie.SevError
		msg = vigie.Text{
			FR: "Mise à jour très en retard : fréquence " + fl.FR + ", dernière mise à jour le " + date + " (il y a " + itoa(days) + " jours, d'après " + ev.FR + ").",
			EN: "Update long overdue (delinquent): " + fl.EN + " frequency, last updated " + date + " (" + itoa(days) + " days ago, from " + ev.EN + ")."}
	}
	r.add(vigie.Finding{Rule: "FRESH-" + strings.ToUpper(st), Dimension: vigie.DimFreshness, Severity: sevr, Points: float64(cents) / 100,
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
