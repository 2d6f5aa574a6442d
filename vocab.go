package vigie

// The codes vigie stores and prints (dimensions, severities, link classes,
// freshness statuses, MQA ratings, visibilities) and their one label in each
// language. Every report format, explain, diff and datasets read the labels
// from here, so one status reads the same everywhere.

// Dimension is a dimension of the quality model.
type Dimension string

// Dimensions of the quality model.
const (
	DimCompleteness Dimension = "completeness"
	DimFreshness    Dimension = "freshness"
	DimOpenness     Dimension = "openness"
	DimAvailability Dimension = "availability"
	DimMQA          Dimension = "mqa"
)

// Severity is how much a finding matters.
type Severity string

// Severities of a finding.
const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevInfo    Severity = "info"
)

// LinkClass is what the link checker concluded of a URL.
type LinkClass string

// Link classes.
const (
	LinkOK      LinkClass = "ok"
	LinkBroken  LinkClass = "broken"  // failed N times over at least H hours
	LinkFailing LinkClass = "failing" // failing, not yet confirmed broken
	LinkUnsure  LinkClass = "unsure"  // 401/403, 429, bot challenge, TLS, timeout, unsupported scheme
	LinkInvalid LinkClass = "invalid" // not a URL
	LinkBlocked LinkClass = "blocked" // resolves to a non-public address
)

// Freshness is a dataset's freshness status against its declared frequency.
type Freshness string

// Freshness statuses.
const (
	FreshFresh         Freshness = "fresh"
	FreshDue           Freshness = "due"
	FreshOverdue       Freshness = "overdue"
	FreshDelinquent    Freshness = "delinquent"
	FreshNotApplicable Freshness = "not_applicable"
	FreshUnknown       Freshness = "unknown"
)

// Rating is a data.europa.eu MQA rating.
type Rating string

// MQA ratings: piveau's bands of MQA points.
const (
	RatingExcellent  Rating = "excellent"
	RatingGood       Rating = "good"
	RatingSufficient Rating = "sufficient"
	RatingBad        Rating = "bad"
)

// Ordered lists of the codes, in the order reports show them.
var (
	Dimensions        = []Dimension{DimCompleteness, DimFreshness, DimOpenness, DimAvailability, DimMQA}
	Severities        = []Severity{SevError, SevWarning, SevInfo}
	LinkClasses       = []LinkClass{LinkOK, LinkBroken, LinkFailing, LinkUnsure, LinkInvalid, LinkBlocked}
	FreshnessStatuses = []Freshness{FreshFresh, FreshDue, FreshOverdue, FreshDelinquent, FreshNotApplicable, FreshUnknown}
	Ratings           = []Rating{RatingExcellent, RatingGood, RatingSufficient, RatingBad}
	Visibilities      = []string{VisPublic, VisPrivate, VisDraft, VisDeleted}
)

// codeLabels is the one label of every code, lower case as it reads inside a
// sentence or a cell. Codes are distinct across kinds, or share one label.
var codeLabels = map[string]Text{
	string(DimCompleteness): {FR: "complétude", EN: "completeness"},
	string(DimFreshness):    {FR: "fraîcheur", EN: "freshness"},
	string(DimOpenness):     {FR: "ouverture", EN: "openness"},
	string(DimAvailability): {FR: "disponibilité", EN: "availability"},
	string(DimMQA):          {FR: "MQA", EN: "MQA"},

	string(SevError):   {FR: "erreur", EN: "error"},
	string(SevWarning): {FR: "avertissement", EN: "warning"},
	string(SevInfo):    {FR: "info", EN: "info"},

	string(LinkOK):      {FR: "fonctionne", EN: "works"},
	string(LinkBroken):  {FR: "brisé", EN: "broken"},
	string(LinkFailing): {FR: "en échec", EN: "failing"},
	string(LinkUnsure):  {FR: "incertain", EN: "unsure"},
	string(LinkInvalid): {FR: "invalide", EN: "invalid"},
	string(LinkBlocked): {FR: "bloqué", EN: "blocked"},

	string(FreshFresh):         {FR: "frais", EN: "fresh"},
	string(FreshDue):           {FR: "à échéance", EN: "due"},
	string(FreshOverdue):       {FR: "en retard", EN: "overdue"},
	string(FreshDelinquent):    {FR: "très en retard", EN: "delinquent"},
	string(FreshNotApplicable): {FR: "sans objet", EN: "not applicable"},
	string(FreshUnknown):       {FR: "inconnu", EN: "unknown"},

	// A rating qualifies « la cote MQA »: feminine in French.
	string(RatingExcellent):  {FR: "excellente", EN: "excellent"},
	string(RatingGood):       {FR: "bonne", EN: "good"},
	string(RatingSufficient): {FR: "suffisante", EN: "sufficient"},
	string(RatingBad):        {FR: "insuffisante", EN: "bad"},

	VisPublic:  {FR: "public", EN: "public"},
	VisPrivate: {FR: "privé", EN: "private"},
	VisDraft:   {FR: "brouillon", EN: "draft"},
	VisDeleted: {FR: "supprimé", EN: "deleted"},
}

// Label returns the label of a code in both languages; a code without one
// (a rule id, a value from an older vigie) is its own label.
func Label[C ~string](code C) Text {
	if t, ok := codeLabels[string(code)]; ok {
		return t
	}
	return Text{FR: string(code), EN: string(code)}
}

// HasLabel reports whether code is one of the codes above.
func HasLabel[C ~string](code C) bool { _, ok := codeLabels[string(code)]; return ok }

// Labels returns a copy of every code's label.
func Labels() map[string]Text {
	out := make(map[string]Text, len(codeLabels))
	for k, v := range codeLabels {
		out[k] = v
	}
	return out
}
