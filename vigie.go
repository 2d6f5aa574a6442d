// Package vigie holds the domain types shared by every part of vigie: datasets
// and resources as harvested from a CKAN portal, organizations, link-check
// results and quality assessments.
//
// Data flows one way: portal → harvester → store → quality → store → reports.
// The adapters (harvester, store, reports) import this package and never each
// other's internals; quality imports only this package and stays pure.
package vigie

import (
	"encoding/json"
	"strings"
	"time"
)

// DefaultPortal is the CKAN site root used when --portal is not given.
const DefaultPortal = "https://www.donneesquebec.ca/recherche"

// Dataset states as vigie tracks them (not CKAN's own state field).
const (
	StateActive  = "active"  // listed by the portal in the latest pass
	StateMissing = "missing" // absent from one complete full pass
	StateDeleted = "deleted" // absent from two consecutive complete full passes
)

// Visibility of a dataset on its portal, from CKAN's own private flag and
// state (not vigie's presence state above). Only public datasets count as
// published.
const (
	VisPublic  = "public"  // active and not private: what anyone can see
	VisPrivate = "private" // active but private: needs an API token
	VisDraft   = "draft"   // any CKAN state other than active or deleted (draft, pending…)
	VisDeleted = "deleted" // CKAN state deleted (still in a dump or a sysadmin's listing)
)

// Visibility returns the visibility of a dataset with CKAN flag private and
// CKAN state ckanState ("" when the portal did not say, read as active).
func Visibility(private bool, ckanState string) string {
	switch st := strings.ToLower(strings.TrimSpace(ckanState)); {
	case st == "deleted":
		return VisDeleted
	case st != "" && st != "active":
		return VisDraft
	case private:
		return VisPrivate
	}
	return VisPublic
}

// Visibility is the dataset's visibility on its portal.
func (d *Dataset) Visibility() string { return Visibility(d.Private, d.CKANState) }

// Published reports whether the dataset is public: active and not private.
func (d *Dataset) Published() bool { return d.Visibility() == VisPublic }

// Dataset is one CKAN package, normalised. Raw keeps the payload as received.
type Dataset struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Title             string            `json:"title"` // French preferred when multilingual
	TitleEN           string            `json:"title_en,omitempty"`
	Notes             string            `json:"notes"`
	Organization      string            `json:"organization"` // organization name ("" when none)
	OrganizationTitle string            `json:"organization_title,omitempty"`
	LicenseID         string            `json:"license_id"`
	LicenseTitle      string            `json:"license_title,omitempty"`
	LicenseURL        string            `json:"license_url,omitempty"`
	IsOpen            *bool             `json:"isopen,omitempty"` // CKAN's own verdict, when sent
	Private           bool              `json:"private"`
	CKANState         string            `json:"ckan_state,omitempty"` // active, draft, deleted
	Type              string            `json:"type,omitempty"`
	Author            string            `json:"author,omitempty"`
	AuthorEmail       string            `json:"author_email,omitempty"`
	Maintainer        string            `json:"maintainer,omitempty"`
	MaintainerEmail   string            `json:"maintainer_email,omitempty"`
	URL               string            `json:"url,omitempty"` // source / landing page
	Version           string            `json:"version,omitempty"`
	MetadataCreated   time.Time         `json:"metadata_created"`
	MetadataModified  time.Time         `json:"metadata_modified"`
	Tags              []string          `json:"tags"`
	Groups            []string          `json:"groups"`
	Extras            map[string]string `json:"extras,omitempty"` // extras list and custom top-level fields; non-string values JSON-encoded
	Resources         []Resource        `json:"resources"`
	Raw               json.RawMessage   `json:"-"`
}

// TitleIn returns the title in lang: the English title under "en" when the
// portal gives one, else the main (French-preferred) title.
func (d *Dataset) TitleIn(lang string) string {
	if lang == "en" && d.TitleEN != "" {
		return d.TitleEN
	}
	return d.Title
}

// Extra returns the value of a custom field or extra, "" when absent.
func (d *Dataset) Extra(key string) string {
	if d.Extras == nil {
		return ""
	}
	return d.Extras[key]
}

// Resource is one CKAN resource (a distribution) of a dataset.
type Resource struct {
	ID           string            `json:"id"`
	Position     int               `json:"position"`
	Name         string            `json:"name"`
	Description  string            `json:"description,omitempty"`
	Format       string            `json:"format"`
	Mimetype     string            `json:"mimetype,omitempty"`
	URL          string            `json:"url"`
	ResourceType string            `json:"resource_type,omitempty"` // CKAN resource_type (Données Québec: donnees, support, web, cartes)
	URLType      string            `json:"url_type,omitempty"`
	Size         *int64            `json:"size,omitempty"`
	Created      *time.Time        `json:"created,omitempty"`
	LastModified *time.Time        `json:"last_modified,omitempty"`
	Extras       map[string]string `json:"extras,omitempty"` // relidi_*, taille_entier and other custom fields
}

// PortalInfo is what a portal says about itself (CKAN's status_show).
type PortalInfo struct {
	Title       string
	CKANVersion string
	Extensions  []string
	Locale      string
}

// Organization is a CKAN organization (a publisher).
type Organization struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Title        string `json:"title"`
	PackageCount int    `json:"package_count"`
}

// Licence is one entry of a portal's licence register (CKAN license_list):
// what the portal itself declares about a licence id it offers.
type Licence struct {
	ID             string `json:"id"`
	Title          string `json:"title,omitempty"`
	URL            string `json:"url,omitempty"`
	ODConformance  string `json:"od_conformance,omitempty"`   // approved, rejected, not reviewed (CKAN 2.x)
	OSDConformance string `json:"osd_conformance,omitempty"`  // the same for the Open Source Definition
	OKDCompliant   *bool  `json:"is_okd_compliant,omitempty"` // older CKAN
	OSICompliant   *bool  `json:"is_osi_compliant,omitempty"`
	Generic        bool   `json:"is_generic,omitempty"` // "Other (Open)"-style entry
}

// Licence openness verdicts (Assessment.LicenceStatus).
const (
	LicenceOpen    = "open"
	LicenceNotOpen = "not_open"
	LicenceUnknown = "unknown" // no register vigie reads knows it
	LicenceMissing = "missing" // no licence given
)

// LinkResult is the latest known state of one distinct URL.
type LinkResult struct {
	URL           string     `json:"url"`
	Class         LinkClass  `json:"class"`
	Status        int        `json:"status,omitempty"`      // HTTP status, 0 when none
	HeadStatus    int        `json:"head_status,omitempty"` // status of the HEAD request alone, 0 when it got none
	FinalURL      string     `json:"final_url,omitempty"`
	Redirects     int        `json:"redirects"`
	ContentType   string     `json:"content_type,omitempty"`
	ContentLength int64      `json:"content_length"` // -1 when unknown
	LastModified  *time.Time `json:"last_modified,omitempty"`
	ETag          string     `json:"etag,omitempty"`
	ElapsedMS     int64      `json:"elapsed_ms"`
	Reason        string     `json:"reason,omitempty"`
	LandingPage   bool       `json:"landing_page,omitempty"` // HTML served where data was expected
	Skipped       bool       `json:"skipped,omitempty"`      // not checked: its host was unreachable during the run
	Failures      int        `json:"failures"`               // consecutive
	FirstFailure  *time.Time `json:"first_failure,omitempty"`
	LastSuccess   *time.Time `json:"last_success,omitempty"`
	CheckedAt     time.Time  `json:"checked_at"`
}

// LinkHistory is what a URL's next check carries forward from its last
// state (the debounce rule, linkcheck.Debounce): its consecutive failures,
// the first of them and its last success. It is what a night's list of due
// URLs holds for each, a fifth of a LinkResult: at 340,000 URLs the
// difference is about 60 MiB.
type LinkHistory struct {
	Failures     int
	FirstFailure time.Time // zero when none
	LastSuccess  time.Time // zero when none
}

// Works reports whether the link answered successfully at its last check.
func (l *LinkResult) Works() bool { return l != nil && l.Class == LinkOK }

// Text is a message in the two languages vigie speaks.
type Text struct {
	FR string `json:"fr"`
	EN string `json:"en"`
}

// In returns the text in lang ("fr" or "en"); French is the default.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.FR
}

// Finding is one lost point (or a note) with its explanation and fix.
type Finding struct {
	Rule       string    `json:"rule"`
	Dimension  Dimension `json:"dimension"`
	Severity   Severity  `json:"severity"`
	ResourceID string    `json:"resource_id,omitempty"`
	Points     float64   `json:"points"` // points lost in its dimension (0 for info)
	Message    Text      `json:"message"`
	Hint       Text      `json:"hint"`
}

// Scores per dimension, 0–100; nil when unknown.
type Scores struct {
	Overall      *float64 `json:"overall"`
	Completeness *float64 `json:"completeness"`
	Freshness    *float64 `json:"freshness"`
	Openness     *float64 `json:"openness"`
	Availability *float64 `json:"availability"`
}

// MQA is the data.europa.eu-compatible result.
type MQA struct {
	Points int    `json:"points"` // 0–405
	Rating Rating `json:"rating"` // excellent, good, sufficient, bad
}

// Assessment is the outcome of scoring one dataset.
type Assessment struct {
	DatasetID         string    `json:"dataset_id"`
	Scores            Scores    `json:"scores"`
	MQA               MQA       `json:"mqa"`
	FreshnessStatus   Freshness `json:"freshness_status"`
	FreshnessEvidence string    `json:"freshness_evidence,omitempty"` // which date was used
	Frequency         string    `json:"frequency,omitempty"`          // normalised declared frequency
	Stars             int       `json:"stars"`
	OpenLicence       bool      `json:"open_licence"`
	LicenceStatus     string    `json:"licence_status,omitempty"` // open, not_open, unknown, missing
	LicenceBy         string    `json:"licence_by,omitempty"`     // what decided: portal, isopen, register
	OpenFormat        bool      `json:"open_format"`
	MachineReadable   bool      `json:"machine_readable"`
	Findings          []Finding `json:"findings"`
}

// Scope is what a run, a listing or a report covers: one portal and,
// within it, some of its organizations (all of them when Orgs is empty).
// Every command fills Orgs from --org the same way.
type Scope struct {
	Portal string   // the portal's URL
	Orgs   []string // organization names; the whole portal when empty
}

// Note is " (organizations a, b)" for messages, or "" for the whole portal.
func (s Scope) Note() string {
	if len(s.Orgs) == 0 {
		return ""
	}
	return " (organizations " + strings.Join(s.Orgs, ", ") + ")"
}
