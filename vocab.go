package vigie

// The codes vigie stores and prints (dimensions, severities, link classes,
// freshness statuses, MQA ratings, visibilities) and their one label in each
// language. Every report format, explain, diff and datasets read the labels
// from here, so one status reads the same everywhere.

// Dimensions of the quality model.
const (
	DimCompleteness = "completeness"
	DimFreshness    = "freshness"
	DimOpenness     = "openness"
	DimAvailability = "availability"
	DimMQA          = "mqa"
)

// Severities of a finding.
const (
	SevError   = "error"
	SevWarning = "warning"
	SevInfo    = "info"
)

// Link classes.
const (
	LinkOK      = "ok"
	LinkBroken  = "broken"  // failed N times over at least H hours
	LinkFailing = "failing" // failing, not yet confirmed broken
	LinkUnsure  = "unsure"  // 401/403, 429, bot challenge, TLS, timeout, unsupported scheme
	LinkInvalid = "invalid" // not a URL
	LinkBlocked = "blocked" // resolves to a non-public address
)

// Freshness statuses.
const (
	FreshFresh         = "fresh"
	FreshDue           = "due"
	FreshOverdue       = "overdue"
	FreshDelinquent    = "delinquent"
	FreshNotApplicable = "not_applicable"
	FreshUnknown       = "unknown"
)

// MQA ratings: piveau's bands of MQA points.
const (
	RatingExcellent  = "excellent"
	RatingGood       = "good"
	RatingSufficient = "sufficient"
	RatingBad        = "bad"
)

// Ordered lists of the codes, in the order reports show them.
var (
	Dimensions        = []string{DimCompleteness, DimFreshness, DimOpenness, DimAvailability, DimMQA}
	Severities        = []string{SevError, SevWarning, SevInfo}
	LinkClasses       = []string{LinkOK, LinkBroken, LinkFailing, LinkUnsure, LinkInvalid, LinkBlocked}
	FreshnessStatuses = []string{FreshFresh, FreshDue, FreshOverdue, FreshDelinquent, FreshNotApplicable, FreshUnknown}
	Ratings           = []string{RatingExcellent, RatingGood, RatingSufficient, RatingBad}
	Visibilities      = []string{VisPublic, VisPrivate, VisDraft, VisDeleted}
)

// codeLabels is the one label of every code, lower case as it reads inside a
// sentence or a cell. Codes are distinct across kinds, or share one label.
var codeLabels = map[string]Text{
	DimCompleteness: {FR: "complétude", EN: "completeness"},
	DimFreshness:    {FR: "fraîcheur", EN: "freshness"},
	DimOpenness:     {FR: "ouverture", EN: "openness"},
	DimAvailability: {FR: "disponibilité", EN: "availability"},
	DimMQA:          {FR: "MQA", EN: "MQA"},

	SevError:   {FR: "erreur", EN: "error"},
	SevWarning: {FR: "avertissement", EN: "warning"},
	SevInfo:    {FR: "info", EN: "info"},

	LinkOK:      {FR: "fonctionne", EN: "works"},
	LinkBroken:  {FR: "brisé", EN: "broken"},
	LinkFailing: {FR: "en échec", EN: "failing"},
	LinkUnsure:  {FR: "incertain", EN: "unsure"},
	LinkInvalid: {FR: "invalide", EN: "invalid"},
	LinkBlocked: {FR: "bloqué", EN: "blocked"},

	FreshFresh:         {FR: "frais", EN: "fresh"},
	FreshDue:           {FR: "à échéance", EN: "due"},
	FreshOverdue:       {FR: "en retard", EN: "overdue"},
	FreshDelinquent:    {FR: "très en retard", EN: "delinquent"},
	FreshNotApplicable: {FR: "sans objet", EN: "not applicable"},
	FreshUnknown:       {FR: "inconnu", EN: "unknown"},

	// A rating qualifies « la cote MQA »: feminine in French.
	RatingExcellent:  {FR: "excellente", EN: "excellent"},
	RatingGood:       {FR: "bonne", EN: "good"},
	RatingSufficient: {FR: "suffisante", EN: "sufficient"},
	RatingBad:        {FR: "insuffisante", EN: "bad"},

	VisPublic:  {FR: "public", EN: "public"},
	VisPrivate: {FR: "privé", EN: "private"},
	VisDraft:   {FR: "brouillon", EN: "draft"},
	VisDeleted: {FR: "supprimé", EN: "deleted"},
}

// Label returns the label of a code in both languages; a code without one
// (a rule id, a value from an older vigie) is its own label.
func Label(code string) Text {
	if t, ok := codeLabels[code]; ok {
		return t
	}
	return Text{FR: code, EN: code}
}

// HasLabel reports whether code is one of the codes above.
func HasLabel(code string) bool { _, ok := codeLabels[code]; return ok }

// Labels returns a copy of every code's label.
func Labels() map[string]Text {
	out := make(map[string]Text, len(codeLabels))
	for k, v := range codeLabels {
		out[k] = v
	}
	return out
}
