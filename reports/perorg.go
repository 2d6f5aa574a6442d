package reports

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigie-audit/vigie/store"
)

// OrganizationsOf ranks the organizations of a portal (its URL) in one of
// its score runs, as the reports do: by mean overall score, best first,
// unknown last.
func OrganizationsOf(ctx context.Context, db Store, portal string, scoreRunID int64) ([]Organization, error) {
	orgs, err := db.ReportOrganizations(ctx, store.ReportScope{Scope: vigie.Scope{Portal: portal}, ScoreRunID: scoreRunID})
	if err != nil {
		return nil, err
	}
	return organizations(orgs), nil
}

// PerOrgOptions choose what WritePerOrg writes.
type PerOrgOptions struct {
	PortalURL string
	Dir       string
	Lang      string
	CSV       CSV // contacts.csv conventions
	Worst     int // worst datasets listed per organization; 0 means 5
	Now       time.Time
	// Progress, when set, is told of each organization written.
	Progress func(done, total int)
}

// OrgEntry is one organization of a per-publisher bundle.
type OrgEntry struct {
	Organization
	Emails []string             `json:"emails"`
	Worst  []store.WorstDataset `json:"worst"`
	Slug   string               `json:"slug"`  // base name of its files
	Files  []string             `json:"files"` // paths relative to the bundle folder
}

// Bundle is what WritePerOrg wrote.
type Bundle struct {
	Portal   string
	ScoreRun Run
	Dir      string
	Lang     string
	Orgs     []OrgEntry
}

// PerOrgFormats are the reports written for each organization.
var PerOrgFormats = []string{"html", "xlsx", "md"}

// WritePerOrg writes one report per organization of the portal's latest
// score run (html, xlsx and md, named after the organization), an index
// page, and contacts.csv for a mail merge: the organization, the addresses
// found in its datasets' metadata, its errors and broken links, its worst
// datasets and the paths of its reports.
func WritePerOrg(ctx context.Context, db Store, o PerOrgOptions) (*Bundle, error) {
	lang := o.Lang
	if lang != "en" {
		lang = "fr"
	}
	worst := o.Worst
	if worst <= 0 {
		worst = 5
	}
	p, err := db.Portal(ctx, o.PortalURL)
	if err != nil {
		return nil, err
	}
	run, err := db.LatestScoreRun(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notScored(p.URL, "reports.not_scored", p.URL, db.Path())
	}
	if err != nil {
		return nil, err
	}
	orgs, err := OrganizationsOf(ctx, db, p.URL, run.ID)
	if err != nil {
		return nil, err
	}
	contacts, err := db.OrgContacts(ctx, p.ID, run.ID, worst)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, mkdirErr(o.Dir, err)
	}
	b := &Bundle{Portal: p.URL, ScoreRun: scoreRun(run), Dir: o.Dir, Lang: lang}
	used := map[string]bool{"index": true, "contacts": true}
	for i, org := range orgs {
		e := OrgEntry{Organization: org, Slug: uniqueSlug(orgSlug(org.Name, lang), used)}
		if c := contacts[org.Name]; c != nil {
			e.Emails, e.Worst = c.Emails, c.Worst
		}
		if e.Emails == nil {
			e.Emails = []string{}
		}
		var names []string
		if org.Name != "" {
			names = []string{org.Name}
		}
		r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: p.URL, Orgs: names}, Lang: lang, Now: o.Now})
		if err != nil {
			return nil, vigie.NewError(vigie.KindOf(err), "reports.org_failed", OneLine(org.Name, 80), err)
		}
		for _, format := range PerOrgFormats {
			w, err := ForFormat(format, CSV{})
			if err != nil {
				return nil, err
			}
			name := e.Slug + "." + format
			if err := WriteFileAtomic(filepath.Join(o.Dir, name), func(f *os.File) error { return w.Write(ctx, f, r) }); err != nil {
				return nil, err
			}
			e.Files = append(e.Files, name)
		}
		b.Orgs = append(b.Orgs, e)
		if o.Progress != nil {
			o.Progress(i+1, len(orgs))
		}
	}
	if err := WriteFileAtomic(filepath.Join(o.Dir, "contacts.csv"), func(f *os.File) error { return writeContacts(f, b, o.CSV) }); err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(filepath.Join(o.Dir, "index.html"), func(f *os.File) error { return writeIndex(f, b, o.Now) }); err != nil {
		return nil, err
	}
	return b, nil
}

// orgSlug is a file name made from an organization's name: lower-case
// letters, digits, '-' and '_' only, whatever the portal sent.
func orgSlug(name, lang string) string {
	var s strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			s.WriteRune(r)
		default:
			s.WriteByte('-')
		}
		if s.Len() >= 80 {
			break
		}
	}
	out := strings.Trim(s.String(), "-_")
	if out == "" {
		out = map[string]string{"fr": "sans-organisation", "en": "no-organization"}[lang]
	}
	return out
}

func uniqueSlug(s string, used map[string]bool) string {
	out := s
	for n := 2; used[out]; n++ {
		out = fmt.Sprintf("%s-%d", s, n)
	}
	used[out] = true
	return out
}

// ContactsHeader is contacts.csv's header.
var ContactsHeader = []string{"organization", "title", "emails", "datasets", "overall", "errors", "broken_links", "worst_datasets",
	"report_html", "report_xlsx", "report_md"}

func writeContacts(w io.Writer, b *Bundle, opts CSV) error {
	if err := opts.check(); err != nil {
		return err
	}
	cw, err := newCSV(w, opts)
	if err != nil {
		return err
	}
	_ = cw.Write(ContactsHeader)
	for _, e := range b.Orgs {
		var worst []string
		for _, d := range e.Worst {
			worst = append(worst, fmt.Sprintf("%s (%s)", d.Name, fmtNum(d.Overall, b.Lang)))
		}
		rec := []any{e.Name, e.Title, strings.Join(e.Emails, "; "), e.Datasets, e.Scores.Overall, e.Findings.Error, e.BrokenLinks,
			strings.Join(worst, "; ")}
		for _, f := range e.Files {
			rec = append(rec, filepath.Join(b.Dir, f))
		}
		cells := make([]string, len(rec))
		for i, v := range rec {
			cells[i] = csvCell(v, opts.Decimal)
		}
		_ = cw.Write(cells)
	}
	cw.Flush()
	return cw.Error()
}

var indexLabels = map[string]map[string]string{
	"fr": {"title": "Rapports par éditeur", "rank": "Rang", "org": "Organisation", "datasets": "Jeux", "overall": "Global",
		"completeness": "Complétude", "freshness": "Fraîcheur", "openness": "Ouverture", "availability": "Disponibilité",
		"errors": "Erreurs", "broken": "Liens brisés", "contacts": "Contacts", "reports": "Rapports", "worst": "Jeux les plus faibles",
		"sub": "%s — analyse n° %d du %s — %d organisations", "csv": "Liste pour publipostage : contacts.csv"},
	"en": {"title": "Reports per publisher", "rank": "Rank", "org": "Organization", "datasets": "Datasets", "overall": "Overall",
		"completeness": "Completeness", "freshness": "Freshness", "openness": "Openness", "availability": "Availability",
		"errors": "Errors", "broken": "Broken links", "contacts": "Contacts", "reports": "Reports", "worst": "Weakest datasets",
		"sub": "%s — score run #%d of %s — %d organizations", "csv": "Mail-merge list: contacts.csv"},
}

type indexRow struct {
	Rank                                                     int
	Name, Title, Datasets, Errors, Broken, Emails            string
	Worst                                                    []string
	Overall, Completeness, Freshness, Openness, Availability string
	OClass, CClass, FClass, PClass, AClass                   string
	Files                                                    []string
}

type indexPage struct {
	Lang string
	L    map[string]string
	Sub  string
	Rows []indexRow
	CSS  template.CSS
}

const indexTmpl = `<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.L.title}}</title><style>{{.CSS}}</style></head><body>
<header><h1>{{.L.title}}</h1><p>{{.Sub}}</p></header><main>
<p><a href="contacts.csv">{{.L.csv}}</a></p>
<div class="wrap"><table><thead><tr><th>{{.L.rank}}</th><th class="t">{{.L.org}}</th><th class="t">{{.L.reports}}</th><th>{{.L.datasets}}</th><th>{{.L.overall}}</th>
<th>{{.L.completeness}}</th><th>{{.L.freshness}}</th><th>{{.L.openness}}</th><th>{{.L.availability}}</th><th>{{.L.errors}}</th>
<th>{{.L.broken}}</th><th class="t">{{.L.worst}}</th><th class="t">{{.L.contacts}}</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Rank}}</td><td class="t org"><strong>{{.Title}}</strong><br><span class="muted">{{.Name}}</span></td>
<td class="n">{{range .Files}}<a href="{{.}}">{{ext .}}</a> {{end}}</td><td>{{.Datasets}}</td>
<td><span class="{{.OClass}}">{{.Overall}}</span></td><td><span class="{{.CClass}}">{{.Completeness}}</span></td><td><span class="{{.FClass}}">{{.Freshness}}</span></td>
<td><span class="{{.PClass}}">{{.Openness}}</span></td><td><span class="{{.AClass}}">{{.Availability}}</span></td><td>{{.Errors}}</td><td>{{.Broken}}</td>
<td class="t small">{{range .Worst}}{{.}}<br>{{end}}</td><td class="t small">{{.Emails}}</td></tr>
{{end}}</tbody></table></div></main><footer>vigie</footer></body></html>
`

var indexPageTmpl = template.Must(template.New("index").Funcs(template.FuncMap{
	"ext": func(name string) string { return strings.TrimPrefix(filepath.Ext(name), ".") },
}).Parse(indexTmpl))

func writeIndex(w io.Writer, b *Bundle, now time.Time) error {
	l := b.Lang
	pg := indexPage{Lang: l, L: indexLabels[l], CSS: template.CSS(sharedCSS),
		Sub: fmt.Sprintf(indexLabels[l]["sub"], OneLine(b.Portal, 200), b.ScoreRun.ID, b.ScoreRun.StartedAt.UTC().Format("2006-01-02"), len(b.Orgs))}
	for _, e := range b.Orgs {
		var worst []string
		for i, d := range e.Worst {
			if i == 3 {
				break // the index stays readable; each report and contacts.csv list more
			}
			worst = append(worst, fmt.Sprintf("%s (%s)", shorten(OneLine(d.Name, 200), 42), fmtNum(d.Overall, l)))
		}
		title := e.Title
		if title == "" {
			title = e.Name
		}
		s := e.Scores
		pg.Rows = append(pg.Rows, indexRow{Rank: e.Rank, Name: OneLine(e.Name, 100), Title: OneLine(title, 160),
			Datasets: fmt.Sprint(e.Datasets), Errors: fmt.Sprint(e.Findings.Error), Broken: fmtInt(e.BrokenLinks, l),
			Emails: OneLine(strings.Join(e.Emails, ", "), 300), Worst: worst,
			Overall: fmtNum(s.Overall, l), Completeness: fmtNum(s.Completeness, l), Freshness: fmtNum(s.Freshness, l),
			Openness: fmtNum(s.Openness, l), Availability: fmtNum(s.Availability, l),
			OClass: scoreClass(s.Overall), CClass: scoreClass(s.Completeness), FClass: scoreClass(s.Freshness),
			PClass: scoreClass(s.Openness), AClass: scoreClass(s.Availability), Files: e.Files})
	}
	bw := bufio.NewWriter(w)
	if err := indexPageTmpl.Execute(bw, pg); err != nil {
		return err
	}
	return bw.Flush()
}
