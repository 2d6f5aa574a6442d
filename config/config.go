// Package config reads vigie.yaml: the portals one installation audits,
// the settings they share, and the mail server `vigie notify` uses.
//
// The file holds paths to secrets (token_file, smtp.password_file), never
// the secrets themselves, so printing it never shows a token.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie/internal/plain"
	"gopkg.in/yaml.v3"
)

// FileName is the name looked for in the working and user config folders.
const FileName = "vigie.yaml"

// maxSize bounds the file read: a configuration is a few kilobytes.
const maxSize = 1 << 20

// Duration is a time.Duration written as in Go ("20h", "90s").
type Duration time.Duration

// UnmarshalYAML parses a duration; the error names the line.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil || v < 0 {
		return lineErr(n.Line, "config.duration", n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back as text.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Links are the link-check settings; a zero field keeps vigie's default.
type Links struct {
	Concurrency  int       `yaml:"concurrency,omitempty"`
	PerHost      int       `yaml:"per_host,omitempty"`
	Delay        *Duration `yaml:"delay,omitempty"`
	Timeout      *Duration `yaml:"timeout,omitempty"`
	Failures     int       `yaml:"failures,omitempty"`
	BrokenAfter  *Duration `yaml:"broken_after,omitempty"`
	OlderThan    *Duration `yaml:"older_than,omitempty"`
	AllowPrivate *bool     `yaml:"allow_private,omitempty"`
}

// Settings are what a portal can set and the defaults every portal shares.
type Settings struct {
	TokenFile      string    `yaml:"token_file,omitempty"`
	IncludePrivate *bool     `yaml:"include_private,omitempty"`
	Orgs           []string  `yaml:"orgs,omitempty"`
	Profile        string    `yaml:"profile,omitempty"`
	Lang           string    `yaml:"lang,omitempty"`
	Baseline       int       `yaml:"baseline,omitempty"` // datasets published at the reference date, for the comparison report
	Rate           *float64  `yaml:"rate,omitempty"`
	Timeout        *Duration `yaml:"timeout,omitempty"` // one API request
	FailUnder      *float64  `yaml:"fail_under,omitempty"`
	FailOn         []string  `yaml:"fail_on,omitempty"`
	Links          Links     `yaml:"links,omitempty"`
}

// Portal is one CKAN portal of the configuration.
type Portal struct {
	Name     string `yaml:"name"`
	URL      string `yaml:"url"`
	Settings `yaml:",inline"`

	line int
}

// Line is where the portal starts in the file (0 when not read from one).
func (p Portal) Line() int { return p.line }

// SMTP is the mail server `vigie notify` sends through.
type SMTP struct {
	Host         string `yaml:"host"`
	Port         int    `yaml:"port,omitempty"` // 587 by default
	From         string `yaml:"from"`
	Username     string `yaml:"username,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	// StartTLS is on unless set to false (only for a relay on loopback).
	StartTLS *bool  `yaml:"starttls,omitempty"`
	Subject  string `yaml:"subject,omitempty"`
	ReplyTo  string `yaml:"reply_to,omitempty"`
	// CAFile holds PEM certificates to trust (a relay with a private authority).
	CAFile string `yaml:"ca_file,omitempty"`
}

// File is vigie.yaml.
type File struct {
	DB       string   `yaml:"db,omitempty"`
	Out      string   `yaml:"out,omitempty"`
	Parallel int      `yaml:"parallel,omitempty"`
	Defaults Settings `yaml:"defaults,omitempty"`
	Portals  []Portal `yaml:"portals"`
	SMTP     *SMTP    `yaml:"smtp,omitempty"`

	// Path is the file read ("" when none was found).
	Path string `yaml:"-"`
}

// Error is a problem in the file, with its line. Msg is vigie's sentence
// ID with Args when set (rendered in the reader's language), else the YAML
// parser's text.
type Error struct {
	Path string
	Line int
	Msg  string
	ID   string
	Args []any
}

func (e *Error) Error() string { return e.Localize("en") }

// Localize is the error in lang.
func (e *Error) Localize(lang string) string {
	msg := e.Msg
	if e.ID != "" {
		args := make([]any, len(e.Args))
		for i, a := range e.Args {
			if err, ok := a.(error); ok {
				a = l10n.Error(lang, err)
			}
			args[i] = a
		}
		msg = l10n.T(lang, e.ID, args...)
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, msg)
}

// ErrorKind makes a mistake in the configuration a usage error; an
// unknown setting has its own kind, whose hint shows the settings.
func (e *Error) ErrorKind() vigie.ErrorKind {
	if e.ID == "config.unknown" {
		return vigie.KindUnknownSetting
	}
	return vigie.KindUsage
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"config.no_file":        {FR: "%s %s : fichier introuvable : vérifiez le chemin", EN: "%s %s: no such file: check the path"},
		"config.open":           {FR: "configuration %s : %s : vérifiez le chemin et ses droits", EN: "configuration %s: %s: check the path and its permissions"},
		"config.unknown":        {FR: "réglage inconnu « %s »", EN: "unknown setting %q"},
		"config.duration":       {FR: "« %s » n'est pas une durée : écrivez-la comme 30s, 20h ou 168h", EN: "%q is not a duration: write it like 30s, 20h or 168h"},
		"config.no_name":        {FR: "le portail n° %s n'a pas de nom : donnez-lui un nom court comme quebec", EN: "portal %s has no name: give it a short name such as quebec"},
		"config.bad_name":       {FR: "nom de portail « %s » : utilisez des minuscules, des chiffres, « - », « _ » ou « . » (il nomme des dossiers)", EN: "portal name %q: use lower-case letters, digits, '-', '_' or '.' (it names folders)"},
		"config.dup_name":       {FR: "le nom de portail « %s » est déjà pris à la ligne %s : les noms doivent être uniques", EN: "portal name %q is already used on line %s: names must be unique"},
		"config.bad_url":        {FR: "portail %s : l'url « %s » doit être la racine du site CKAN, comme https://www.donneesquebec.ca/recherche", EN: "portal %s: url %q must be the CKAN site root, like https://www.donneesquebec.ca/recherche"},
		"config.dup_url":        {FR: "portail %s : l'url %s est déjà prise à la ligne %s", EN: "portal %s: url %s is already used on line %s"},
		"config.where.portal":   {FR: "portail %s", EN: "portal %s"},
		"config.where.defaults": {FR: "defaults", EN: "defaults"},
		"config.parallel":       {FR: "parallel doit valoir 1 ou plus", EN: "parallel must be 1 or more"},
		"config.smtp_host":      {FR: "smtp demande un hôte (host) et une adresse d'expéditeur (from)", EN: "smtp needs a host and a from address"},
		"config.smtp_port":      {FR: "le port smtp %s n'est pas un port", EN: "smtp port %s is not a port"},
		"config.smtp_password":  {FR: "smtp : un username demande un password_file (le mot de passe lui-même ne va jamais dans ce fichier)", EN: "smtp: a username needs a password_file (the password itself never goes in this file)"},
		"config.lang":           {FR: "%s : lang doit valoir fr ou en, et non « %s »", EN: "%s: lang must be fr or en, not %q"},
		"config.baseline":       {FR: "%s : baseline doit être un nombre de jeux", EN: "%s: baseline must be a number of datasets"},
		"config.rate":           {FR: "%s : rate doit valoir 0 (sans limite) ou plus", EN: "%s: rate must be 0 (no limit) or more"},
		"config.links":          {FR: "%s : les réglages de links doivent être positifs", EN: "%s: links settings must be positive"},
		"config.type":           {FR: "%s : vérifiez le type de la valeur", EN: "%s: check the value's type"},
		"config.yaml":           {FR: "YAML illisible : %s", EN: "not valid YAML: %s"},
		"config.secret":         {FR: "« %s » : les secrets ne vont jamais dans ce fichier : mettez-le dans un fichier à part et donnez son chemin en token_file (ou password_file de smtp)", EN: "%q: secrets never go in this file: put it in a file of its own and give its path as token_file (or smtp password_file)"},
	})
}

// lineError is a mistake on a line of the file (0: none in particular),
// as catalogue sentence id with args.
type lineError struct {
	line int
	id   string
	args []any
}

func (e *lineError) Error() string { return l10n.T("en", e.id, e.args...) }

func lineErr(line int, id string, args ...any) error {
	return &lineError{line: line, id: id, args: args}
}

// Find returns the file to read: explicit (--config), then $VIGIE_CONFIG,
// then ./vigie.yaml, then vigie/vigie.yaml in the user config folder. It
// returns "" when there is none; an explicit path that does not exist is
// an error.
func Find(explicit string) (string, error) {
	for _, p := range []struct{ path, from string }{{explicit, "--config"}, {os.Getenv("VIGIE_CONFIG"), "VIGIE_CONFIG"}} {
		if p.path == "" {
			continue
		}
		if _, err := os.Stat(p.path); err != nil {
			return "", &vigie.Error{Kind: vigie.KindUsage, ID: "config.no_file", Args: []any{p.from, p.path}, Path: p.path}
		}
		return p.path, nil
	}
	if _, err := os.Stat(FileName); err == nil {
		return FileName, nil
	}
	if dir, err := os.UserConfigDir(); err == nil {
		p := filepath.Join(dir, "vigie", FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", nil
}

// Load reads and checks the file at path.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &vigie.Error{ID: "config.open", Args: []any{path, err}, Path: path}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	if len(data) > maxSize {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("larger than %d bytes: this is not a vigie configuration", maxSize)}
	}
	return Parse(path, data)
}

var (
	yamlLine     = regexp.MustCompile(`line (\d+): (.*)`)
	unknownField = regexp.MustCompile(`field (\S+) not found in type config\.(\w+)`)
)

// Parse reads a configuration from data; path only names it in errors.
func Parse(path string, data []byte) (*File, error) {
	var out File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&out); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(path, err)
	}
	// Lines of the portals, for the checks below.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) > 0 {
		if n := mapValue(root.Content[0], "portals"); n != nil && n.Kind == yaml.SequenceNode {
			for i, item := range n.Content {
				if i < len(out.Portals) {
					out.Portals[i].line = item.Line
				}
			}
		}
	}
	out.Path = path
	if err := out.check(); err != nil {
		var le *lineError
		if errors.As(err, &le) {
			return nil, &Error{Path: path, Line: le.line, ID: le.id, Args: le.args}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	return &out, nil
}

// yamlError turns yaml.v3's messages ("yaml: line 4: ...", "line 7: field x
// not found in type config.Portal") into one line naming the file and line.
func yamlError(path string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &Error{Path: path, Line: le.line, ID: le.id, Args: le.args}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	msg = plain.FirstLine(msg)
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		text := m[2]
		if f := unknownField.FindStringSubmatch(text); f != nil {
			id := "config.unknown"
			if k := strings.ToLower(f[1]); strings.Contains(k, "token") || strings.Contains(k, "password") || strings.Contains(k, "secret") {
				id = "config.secret"
			}
			return &Error{Path: path, Line: n, ID: id, Args: []any{f[1]}}
		} else if strings.Contains(text, "cannot unmarshal") {
			return &Error{Path: path, Line: n, ID: "config.type", Args: []any{l10n.YAMLType(strings.ReplaceAll(text, "config.", ""))}}
		}
		return &Error{Path: path, Line: n, ID: "config.yaml", Args: []any{l10n.YAMLProblem(text)}}
	}
	return &Error{Path: path, ID: "config.yaml", Args: []any{l10n.YAMLProblem(msg)}}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

func (f *File) check() error {
	if f.Parallel < 0 {
		return lineErr(0, "config.parallel")
	}
	if err := f.Defaults.check(0, vigie.NewError(vigie.KindUsage, "config.where.defaults")); err != nil {
		return err
	}
	seen := map[string]int{}
	urls := map[string]int{}
	for i := range f.Portals {
		p := &f.Portals[i]
		p.Name = strings.TrimSpace(p.Name)
		p.URL = strings.TrimRight(strings.TrimSpace(p.URL), "/")
		if p.Name == "" {
			return lineErr(p.line, "config.no_name", l10n.Whole(i+1))
		}
		if !nameRe.MatchString(p.Name) {
			return lineErr(p.line, "config.bad_name", p.Name)
		}
		if prev, ok := seen[p.Name]; ok {
			return lineErr(p.line, "config.dup_name", p.Name, strconv.Itoa(prev))
		}
		seen[p.Name] = p.line
		u, err := url.Parse(p.URL)
		if p.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return lineErr(p.line, "config.bad_url", p.Name, p.URL)
		}
		if prev, ok := urls[p.URL]; ok {
			return lineErr(p.line, "config.dup_url", p.Name, p.URL, strconv.Itoa(prev))
		}
		urls[p.URL] = p.line
		if err := p.Settings.check(p.line, vigie.NewError(vigie.KindUsage, "config.where.portal", p.Name)); err != nil {
			return err
		}
	}
	if s := f.SMTP; s != nil {
		if s.Host == "" || s.From == "" {
			return lineErr(0, "config.smtp_host")
		}
		if s.Port < 0 || s.Port > 65535 {
			return lineErr(0, "config.smtp_port", strconv.Itoa(s.Port))
		}
		if s.Username != "" && s.PasswordFile == "" {
			return lineErr(0, "config.smtp_password")
		}
	}
	return nil
}

func (s *Settings) check(line int, where error) error {
	if s.Lang != "" && s.Lang != "fr" && s.Lang != "en" {
		return lineErr(line, "config.lang", where, s.Lang)
	}
	if s.Baseline < 0 {
		return lineErr(line, "config.baseline", where)
	}
	if s.Rate != nil && *s.Rate < 0 {
		return lineErr(line, "config.rate", where)
	}
	if s.Links.Concurrency < 0 || s.Links.PerHost < 0 || s.Links.Failures < 0 {
		return lineErr(line, "config.links", where)
	}
	return nil
}

// Effective is a portal with the defaults filled in where it says nothing.
func (f *File) Effective(p Portal) Portal {
	d := f.Defaults
	s := &p.Settings
	if s.TokenFile == "" {
		s.TokenFile = d.TokenFile
	}
	if s.IncludePrivate == nil {
		s.IncludePrivate = d.IncludePrivate
	}
	if s.Orgs == nil {
		s.Orgs = d.Orgs
	}
	if s.Profile == "" {
		s.Profile = d.Profile
	}
	if s.Lang == "" {
		s.Lang = d.Lang
	}
	if s.Baseline == 0 {
		s.Baseline = d.Baseline
	}
	if s.Rate == nil {
		s.Rate = d.Rate
	}
	if s.Timeout == nil {
		s.Timeout = d.Timeout
	}
	if s.FailUnder == nil {
		s.FailUnder = d.FailUnder
	}
	if s.FailOn == nil {
		s.FailOn = d.FailOn
	}
	l, dl := &s.Links, d.Links
	if l.Concurrency == 0 {
		l.Concurrency = dl.Concurrency
	}
	if l.PerHost == 0 {
		l.PerHost = dl.PerHost
	}
	if l.Delay == nil {
		l.Delay = dl.Delay
	}
	if l.Timeout == nil {
		l.Timeout = dl.Timeout
	}
	if l.Failures == 0 {
		l.Failures = dl.Failures
	}
	if l.BrokenAfter == nil {
		l.BrokenAfter = dl.BrokenAfter
	}
	if l.OlderThan == nil {
		l.OlderThan = dl.OlderThan
	}
	if l.AllowPrivate == nil {
		l.AllowPrivate = dl.AllowPrivate
	}
	return p
}

// Lookup finds a portal by name or by URL (trailing slashes ignored).
func (f *File) Lookup(nameOrURL string) (Portal, bool) {
	if f == nil {
		return Portal{}, false
	}
	key := strings.TrimRight(strings.TrimSpace(nameOrURL), "/")
	for _, p := range f.Portals {
		if p.Name == key || p.URL == key {
			return f.Effective(p), true
		}
	}
	return Portal{}, false
}

// Values lists a portal's settings as flag name → values, for the commands
// to apply to the flags the user did not give. timeoutFlag names the flag
// that holds the link-check timeout in that command ("timeout" for vigie
// links, "links-timeout" for vigie audit).
func (p Portal) Values(timeoutFlag string) map[string][]string {
	v := map[string][]string{}
	s := p.Settings
	set := func(k string, val string) { v[k] = []string{val} }
	if s.TokenFile != "" {
		set("token-file", s.TokenFile)
	}
	if s.IncludePrivate != nil {
		set("include-private", strconv.FormatBool(*s.IncludePrivate))
	}
	if len(s.Orgs) > 0 {
		v["org"] = s.Orgs
	}
	if s.Profile != "" {
		set("profile", s.Profile)
	}
	if s.Baseline > 0 {
		set("baseline", strconv.Itoa(s.Baseline))
	}
	if s.Rate != nil {
		set("rate", strconv.FormatFloat(*s.Rate, 'g', -1, 64))
	}
	if s.FailUnder != nil {
		set("fail-under", strconv.FormatFloat(*s.FailUnder, 'g', -1, 64))
	}
	if len(s.FailOn) > 0 {
		set("fail-on", strings.Join(s.FailOn, ","))
	}
	l := s.Links
	if l.Concurrency > 0 {
		set("concurrency", strconv.Itoa(l.Concurrency))
	}
	if l.PerHost > 0 {
		set("per-host", strconv.Itoa(l.PerHost))
	}
	if l.Failures > 0 {
		set("failures", strconv.Itoa(l.Failures))
	}
	dur := func(k string, d *Duration) {
		if d != nil {
			set(k, time.Duration(*d).String())
		}
	}
	dur("delay", l.Delay)
	dur("broken-after", l.BrokenAfter)
	dur("older-than", l.OlderThan)
	if timeoutFlag == "timeout" {
		dur("timeout", l.Timeout) // vigie links: --timeout is the link check's
	} else {
		dur("timeout", s.Timeout)
		dur(timeoutFlag, l.Timeout)
	}
	if l.AllowPrivate != nil {
		set("allow-private", strconv.FormatBool(*l.AllowPrivate))
	}
	return v
}

// Example is a commented configuration to start from.
const Example = `# vigie.yaml: the portals this installation audits.
# Found with --config, VIGIE_CONFIG, ./vigie.yaml, then the user config folder
# (~/.config/vigie/vigie.yaml). Command-line flags override it.
db: /srv/vigie/vigie.db          # --db
out: /srv/audits                 # vigie audit --out
parallel: 3                      # portals audited at once (vigie audit --parallel)

defaults:                        # shared by every portal unless it says otherwise
  lang: fr                       # fr or en
  rate: 2                        # API requests per second
  timeout: 60s                   # one API request
  fail_under: 60                 # audit quality gate
  fail_on: [broken-links]
  links:
    concurrency: 32
    per_host: 2
    delay: 0s
    timeout: 30s
    failures: 3
    broken_after: 36h
    older_than: 20h
    allow_private: false

portals:
  - name: quebec
    url: https://www.donneesquebec.ca/recherche
    profile: donneesquebec
    baseline: 1200               # datasets published in 2021
  - name: montreal
    url: https://donnees.montreal.ca
    token_file: /etc/vigie/montreal.token   # a file holding the API token, never the token
    include_private: true
    orgs: [ville-de-montreal]
  - name: canada
    url: https://open.canada.ca/data
    profile: ckan
    lang: en
    links: {per_host: 1, delay: 1s}

smtp:                            # vigie notify
  host: smtp.example.org
  port: 587                      # STARTTLS is always used unless starttls: false
  from: opendata@example.org
  username: vigie
  password_file: /etc/vigie/smtp.password
  subject: "Open data: your datasets' quality report"
`

// SMTPSettings is the smtp section, nil when there is none (or no file).
func (f *File) SMTPSettings() *SMTP {
	if f == nil {
		return nil
	}
	return f.SMTP
}
