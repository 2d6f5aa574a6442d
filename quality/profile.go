package quality

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

//go:embed profiles/*.yaml
var builtinFS embed.FS

// Readings of the link check for the MQA's URL status indicators.
const (
	MQAHeadThenGet = "head_then_get"
	MQAHeadOnly    = "head_only"
)

// Profile is a scoring profile: the weights of the dimensions, the
// completeness checks with their points, the vocabularies they use and the
// freshness and openness settings. Profiles are data (YAML or JSON).
type Profile struct {
	Name         string                      `yaml:"name"`
	Extends      string                      `yaml:"extends,omitempty"`
	Title        vigie.Text                  `yaml:"title"`
	CodePrefix   string                      `yaml:"code_prefix"`
	Weights      map[vigie.Dimension]float64 `yaml:"weights"`
	Completeness []Check                     `yaml:"completeness"`
	Vocabularies Vocabularies                `yaml:"vocabularies"`
	Freshness    FreshnessConfig             `yaml:"freshness"`
	Openness     OpennessConfig              `yaml:"openness"`
	MQAFindings  bool                        `yaml:"mqa_findings"`
	// MQAAccessURL is how the MQA's accessUrlStatusCode and
	// downloadUrlStatusCode read the link check: "head_then_get" (the
	// default) takes the status of the request that decided the check (HEAD,
	// else the GET fallback); "head_only" takes the HEAD request's own status,
	// as piveau's URL checker does.
	MQAAccessURL string `yaml:"mqa_access_url,omitempty"`
	// LegacyBefore (YYYY-MM-DD): datasets created earlier get their
	// completeness errors as warnings (same points), the guidelines applying
	// first to datasets published after that date.
	LegacyBefore string `yaml:"legacy_before,omitempty"`
	// Baseline is the number of published datasets the portal's indicator
	// is compared with (Données Québec: its 2021 commitment status quo).
	// Profiles for other portals leave it out: reports then show none.
	Baseline *Baseline `yaml:"baseline,omitempty"`
	// LicenceHint is the fix a missing licence gets; empty gives a
	// portal-neutral one (Données Québec's names the licence it expects).
	LicenceHint vigie.Text `yaml:"licence_hint,omitempty"`

	thresholds map[string][3]time.Duration
	legacy     time.Time
	defs       []checkDef // Completeness[i]'s check, resolved once
}

// Baseline is a reference count of published datasets and what it is.
type Baseline struct {
	Datasets int        `yaml:"datasets"`
	Year     int        `yaml:"year,omitempty"`
	Note     vigie.Text `yaml:"note"`
	// Portals are the host names the baseline belongs to (a sub-domain
	// matches too); other portals scored with the same profile have none.
	// Empty means every portal scored with the profile.
	Portals []string `yaml:"portals,omitempty"`
}

// For returns the baseline if it belongs to the portal at portalURL, else nil.
func (b *Baseline) For(portalURL string) *Baseline {
	if b == nil || len(b.Portals) == 0 {
		return b
	}
	host := strings.ToLower(portalURL)
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/:?#"); i >= 0 {
		host = host[:i]
	}
	for _, p := range b.Portals {
		p = strings.ToLower(strings.TrimSpace(p))
		if host == p || strings.HasSuffix(host, "."+p) {
			return b
		}
	}
	return nil
}

// ProfileBaseline is the baseline the built-in profile name declares for
// the portal at portalURL; nil when it declares none, when the baseline
// belongs to other portals, or when name is not a built-in profile.
func ProfileBaseline(name, portalURL string) *Baseline {
	b, err := ProfileYAML(name)
	if err != nil {
		return nil
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil
	}
	return p.Baseline.For(portalURL)
}

// Check is one completeness check and the points it is worth.
type Check struct {
	Check     string         `yaml:"check"`
	Points    float64        `yaml:"points"`
	MinLength int            `yaml:"min_length,omitempty"`
	Severity  vigie.Severity `yaml:"severity,omitempty"` // overrides the check's default severity (error or warning)
}

// Vocabularies holds the allowed values completeness checks compare with. An
// empty list means any non-empty value is accepted.
type Vocabularies struct {
	Licences               []string `yaml:"licences"`
	UpdateFrequency        []string `yaml:"update_frequency"`
	Language               []string `yaml:"language"`
	ResourceTypes          []string `yaml:"resource_types"`
	ForbiddenResourceTypes []string `yaml:"forbidden_resource_types"`
	DataResourceTypes      []string `yaml:"data_resource_types"`
	RelidiResourceTypes    []string `yaml:"relidi_resource_types"`
	RelidiFields           []string `yaml:"relidi_fields"`
	RelidiAnswers          []string `yaml:"relidi_answers"`
	CompressionAllowed     []string `yaml:"compression_allowed"`
}

// FreshnessConfig says where the frequency is declared and how late is late.
type FreshnessConfig struct {
	// Fields lists where the frequency is declared, first filled one wins;
	// empty means every common field (FrequencyFields).
	Fields       []string                    `yaml:"fields,omitempty"`
	Thresholds   map[string][3]string        `yaml:"thresholds"` // frequency → due, overdue, delinquent ("1h", "30d")
	StatusScores map[vigie.Freshness]float64 `yaml:"status_scores"`
}

// OpennessConfig maps 0–5 stars to the openness score.
type OpennessConfig struct {
	ScoreByStars []float64 `yaml:"score_by_stars"`
}

// BuiltinProfiles lists the names of the profiles embedded in vigie.
func BuiltinProfiles() []string {
	ents, _ := builtinFS.ReadDir("profiles")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// ProfileYAML returns the embedded YAML text of a built-in profile.
func ProfileYAML(name string) ([]byte, error) {
	b, err := builtinFS.ReadFile("profiles/" + name + ".yaml")
	if err != nil {
		return nil, vigie.NewError(vigie.KindUsage, "quality.no_builtin", name, strings.Join(BuiltinProfiles(), ", "))
	}
	return b, nil
}

// LoadProfile returns a built-in profile by name, or reads a profile file
// through readFile (the caller passes os.ReadFile; quality does no I/O).
// A file may say `extends: <built-in>` and override only what it changes.
func LoadProfile(nameOrPath string, readFile func(string) ([]byte, error)) (*Profile, error) {
	if b, err := ProfileYAML(nameOrPath); err == nil {
		return ParseProfile(b)
	}
	if readFile == nil || !strings.ContainsAny(nameOrPath, "./\\") {
		return nil, vigie.NewError(vigie.KindUsage, "quality.unknown", nameOrPath, strings.Join(BuiltinProfiles(), ", "))
	}
	b, err := readFile(nameOrPath)
	if err != nil {
		return nil, &vigie.Error{Kind: vigie.KindUsage, ID: "quality.read", Args: []any{nameOrPath, pathCause(err)}, Path: nameOrPath, Err: err}
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, &vigie.Error{Kind: vigie.KindUsage, ID: "quality.profile", Args: []any{nameOrPath, err}, Path: nameOrPath}
	}
	return p, nil
}

// yamlWhy is the YAML parser's error on one line, in the reader's language:
// "unmarshal errors:" is followed by the lines that say which line of the
// file is wrong.
func yamlWhy(err error) error { return l10n.YAMLError(err) }

// ParseProfile decodes and validates a profile (YAML, or JSON which is YAML).
func ParseProfile(b []byte) (*Profile, error) {
	var head struct {
		Extends string `yaml:"extends"`
	}
	if err := yaml.Unmarshal(b, &head); err != nil {
		return nil, perr("quality.p.yaml", yamlWhy(err))
	}
	p := &Profile{}
	// A built-in may extend another (mqa extends ckan): apply the chain of
	// bases from the root down, then the file.
	var bases [][]byte
	for ext, depth := head.Extends, 0; ext != ""; depth++ {
		if depth == 8 {
			return nil, perr("quality.p.extends", head.Extends)
		}
		base, err := ProfileYAML(ext)
		if err != nil {
			return nil, err
		}
		bases = append(bases, base)
		var next struct {
			Extends string `yaml:"extends"`
		}
		if err := yaml.Unmarshal(base, &next); err != nil {
			return nil, err
		}
		ext = next.Extends
	}
	for i := len(bases) - 1; i >= 0; i-- {
		if err := yaml.Unmarshal(bases[i], p); err != nil {
			return nil, err
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, perr("quality.p.invalid", yamlWhy(err))
	}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return p, nil
}

// MaxWeight bounds a dimension's weight and a check's points: far above any
// useful ratio, far below where sums of products overflow to Inf and NaN.
const MaxWeight = 1000

var knownWeights = map[vigie.Dimension]bool{vigie.DimCompleteness: true, vigie.DimFreshness: true, vigie.DimOpenness: true, vigie.DimAvailability: true, vigie.DimMQA: true}

func (p *Profile) compile() error {
	if p.Name == "" {
		return perr("quality.p.no_name")
	}
	if p.CodePrefix == "" {
		p.CodePrefix = "META"
	}
	switch p.MQAAccessURL {
	case "":
		p.MQAAccessURL = MQAHeadThenGet
	case MQAHeadThenGet, MQAHeadOnly:
	default:
		return perr("quality.p.mqa_access_url", p.MQAAccessURL, MQAHeadThenGet, MQAHeadOnly)
	}
	var sum float64
	for k, w := range p.Weights {
		if !knownWeights[k] {
			return perr("quality.p.unknown_weight", string(k))
		}
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 || w > MaxWeight {
			return perr("quality.p.weight", string(k), l10n.Number(w, 6), l10n.Whole(MaxWeight))
		}
		sum += w
	}
	if sum <= 0 {
		return perr("quality.p.weights_zero")
	}
	p.defs = make([]checkDef, len(p.Completeness))
	for i, c := range p.Completeness {
		def, ok := checks[c.Check]
		p.defs[i] = def
		if !ok {
			return perr("quality.p.unknown_check", l10n.Whole(i+1), c.Check, strings.Join(CheckNames(), ", "))
		}
		if math.IsNaN(c.Points) || math.IsInf(c.Points, 0) || c.Points <= 0 || c.Points > MaxWeight {
			return perr("quality.p.points", c.Check, l10n.Number(c.Points, 6), l10n.Whole(MaxWeight))
		}
	}
	if p.Baseline != nil && p.Baseline.Datasets <= 0 {
		return perr("quality.p.baseline")
	}
	if len(p.Openness.ScoreByStars) == 0 {
		p.Openness.ScoreByStars = []float64{0, 20, 40, 60, 80, 100}
	}
	if len(p.Openness.ScoreByStars) != 6 {
		return perr("quality.p.stars_count")
	}
	for i, s := range p.Openness.ScoreByStars {
		if s < 0 || s > 100 || (i > 0 && s < p.Openness.ScoreByStars[i-1]) {
			return perr("quality.p.stars_rise")
		}
	}
	if p.Openness.ScoreByStars[5] != 100 {
		return perr("quality.p.stars_top")
	}
	for _, st := range []vigie.Freshness{vigie.FreshFresh, vigie.FreshDue, vigie.FreshOverdue, vigie.FreshDelinquent} {
		v, ok := p.Freshness.StatusScores[st]
		if !ok {
			return perr("quality.p.status_missing", string(st))
		}
		if v < 0 || v > 100 {
			return perr("quality.p.status_range", string(st))
		}
	}
	if p.Freshness.StatusScores[vigie.FreshFresh] != 100 {
		return perr("quality.p.status_fresh")
	}
	p.legacy = time.Time{}
	if p.LegacyBefore != "" {
		t, err := time.Parse("2006-01-02", p.LegacyBefore)
		if err != nil {
			return perr("quality.p.legacy_before", p.LegacyBefore)
		}
		p.legacy = t
	}
	p.thresholds = make(map[string][3]time.Duration, len(p.Freshness.Thresholds))
	for f, th := range p.Freshness.Thresholds {
		var d [3]time.Duration
		for i, s := range th {
			v, err := parseSpan(s)
			if err != nil {
				return perr("quality.p.threshold", f, err)
			}
			d[i] = v
		}
		if d[0] <= 0 || d[1] < d[0] || d[2] < d[1] {
			return perr("quality.p.threshold_order", f)
		}
		p.thresholds[f] = d
	}
	return nil
}

// parseSpan reads "3h", "30d" or "1.5d".
func parseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, perr("quality.p.span", s)
	}
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	// !(n > 0) also rejects NaN; beyond 100,000 days the duration overflows.
	if err != nil || !(n > 0) || n > 100000 {
		return 0, perr("quality.p.span", s)
	}
	var d time.Duration
	switch s[len(s)-1] {
	case 'h':
		d = time.Duration(n * float64(time.Hour))
	case 'd':
		d = time.Duration(n * 24 * float64(time.Hour))
	}
	if d <= 0 {
		return 0, perr("quality.p.span", s)
	}
	return d, nil
}

// MustProfile loads a built-in profile and panics if it is broken (tests, benchmarks).
func MustProfile(name string) *Profile {
	p, err := LoadProfile(name, nil)
	if err != nil {
		panic(err)
	}
	return p
}

// DefaultProfileFor picks the built-in profile that fits a portal: donneesquebec
// for Données Québec and Montréal, or when the datasets carry Données Québec's
// own fields (update_frequency with resource_type or relidi_* declarations);
// ckan otherwise.
func DefaultProfileFor(portalURL string, sample []*vigie.Dataset) string {
	u := strings.ToLower(portalURL)
	if strings.Contains(u, "donneesquebec.ca") || strings.Contains(u, "donnees.montreal.ca") {
		return "donneesquebec"
	}
	dq := 0
	for _, d := range sample {
		if d == nil || d.Extra("update_frequency") == "" {
			continue
		}
		for _, r := range d.Resources {
			if dqResourceType[r.ResourceType] || hasRelidi(r.Extras) {
				dq++
				break
			}
		}
	}
	if dq > 0 && dq*2 >= len(sample) {
		return "donneesquebec"
	}
	return "ckan"
}

var dqResourceType = map[string]bool{"donnees": true, "support": true, "web": true, "cartes": true, "carte": true}

func hasRelidi(ex map[string]string) bool {
	for k := range ex {
		if strings.HasPrefix(k, "relidi_") {
			return true
		}
	}
	return false
}

// Hash is the sha256 (hex) of the profile's rules as loaded: weights, checks
// and their points, vocabularies, thresholds, with a file's `extends`
// resolved. Two runs with the same hash scored by the same rules.
func (p *Profile) Hash() string {
	c := *p
	c.Extends = ""             // the rules count, not where they came from
	b, err := json.Marshal(&c) // exported fields only; map keys sorted
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
