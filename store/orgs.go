package store

import (
	"context"
	"database/sql"
	"regexp"
	"sort"
	"strings"
)

// OrgContact is what a publisher's datasets say about who to write to, and
// its weakest datasets, in one score run.
type OrgContact struct {
	Organization string
	Emails       []string // most used first, at most MaxContactEmails
	Worst        []WorstDataset
}

// WorstDataset is a dataset with one of the lowest overall scores.
type WorstDataset struct {
	Name, Title string
	Overall     *float64
	Errors      int
}

// MaxContactEmails bounds the addresses kept per organization.
const MaxContactEmails = 5

var emailRe = regexp.MustCompile(`(?i)[a-z0-9._%+'-]{1,64}@[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*\.[a-z]{2,24}`)

// OrgContacts reads, for every organization of a score run, the e-mail
// addresses found in its datasets' metadata (author_email,
// maintainer_email, and any address in the extras, such as a contact point)
// and its `worst` lowest-scored datasets.
func (db *DB) OrgContacts(ctx context.Context, portalID, scoreRunID int64, worst int) (map[string]*OrgContact, error) {
	rows, err := db.rd().QueryContext(ctx, `SELECT d.organization, d.name, d.title, d.author_email, d.maintainer_email, d.extras, s.overall, s.errors
		FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id WHERE s.score_run_id = ?`, portalID, scoreRunID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := map[string]*OrgContact{}
	counts := map[string]map[string]int{}
	for rows.Next() {
		var org, name, title, author, maint, extras string
		var overall sql.NullFloat64
		var errs int
		if err := rows.Scan(&org, &name, &title, &author, &maint, &extras, &overall, &errs); err != nil {
			return nil, db.explain(err)
		}
		c := out[org]
		if c == nil {
			c = &OrgContact{Organization: org}
			out[org] = c
			counts[org] = map[string]int{}
		}
		for _, text := range []string{author, maint, extras} {
			if len(text) > 64<<10 {
				text = text[:64<<10]
			}
			for _, e := range emailRe.FindAllString(text, 20) {
				counts[org][strings.ToLower(e)]++
			}
		}
		c.Worst = append(c.Worst, WorstDataset{Name: name, Title: title, Overall: scorePtr(overall), Errors: errs})
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	for org, c := range out {
		for e := range counts[org] {
			c.Emails = append(c.Emails, e)
		}
		n := counts[org]
		sort.Slice(c.Emails, func(i, j int) bool {
			if n[c.Emails[i]] != n[c.Emails[j]] {
				return n[c.Emails[i]] > n[c.Emails[j]]
			}
			return c.Emails[i] < c.Emails[j]
		})
		if len(c.Emails) > MaxContactEmails {
			c.Emails = c.Emails[:MaxContactEmails]
		}
		sort.SliceStable(c.Worst, func(i, j int) bool {
			a, b := c.Worst[i].Overall, c.Worst[j].Overall
			switch {
			case a != nil && b != nil && *a != *b:
				return *a < *b
			case (a == nil) != (b == nil):
				return a != nil
			}
			return c.Worst[i].Name < c.Worst[j].Name
		})
		if len(c.Worst) > worst {
			c.Worst = c.Worst[:worst]
		}
	}
	return out, nil
}
