package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
)

// A score run keeps each dataset's findings in one row of dataset_findings:
// a JSON array holding, per finding in the order found,
//
//	[rule, dimension, severity, resource_id, points, message_id, hint_id]
//
// with the message and hint as ids into finding_texts (0: no text). One row
// per dataset instead of one per finding (670,000 rows and two index entries
// each at 100,000 datasets) is what makes saving a score run cheap; JSON keeps
// the column readable by SQL (json_each, jsonb) and by analysts.

// storedFinding is one finding as dataset_findings holds it.
type storedFinding struct {
	Rule       string
	Dimension  vigie.Dimension
	Severity   vigie.Severity
	ResourceID string
	Points     float64
	MessageID  int64
	HintID     int64
}

// appendFindingsJSON appends fs as the JSON array described above.
func appendFindingsJSON(b []byte, fs []storedFinding) []byte {
	b = append(b, '[')
	for i := range fs {
		f := &fs[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONString(b, f.Rule)
		b = append(b, ',')
		b = appendJSONString(b, string(f.Dimension))
		b = append(b, ',')
		b = appendJSONString(b, string(f.Severity))
		b = append(b, ',')
		b = appendJSONString(b, f.ResourceID)
		b = append(b, ',')
		b = strconv.AppendFloat(b, f.Points, 'g', -1, 64)
		b = append(b, ',')
		b = strconv.AppendInt(b, f.MessageID, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, f.HintID, 10)
		b = append(b, ']')
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string: as is when nothing in it needs
// escaping (the common case), else as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

var errFindingsJSON = errors.New("malformed findings")

// parseFindingsJSON reads what appendFindingsJSON wrote (or SQL's
// json_group_array of json_array rows, whitespace allowed), appending to out.
func parseFindingsJSON(s string, out []storedFinding) ([]storedFinding, error) {
	p := findingsParser{s: s}
	if !p.byte('[') {
		return out, errFindingsJSON
	}
	if p.byte(']') {
		return out, p.end()
	}
	for {
		var f storedFinding
		var err error
		if !p.byte('[') {
			return out, errFindingsJSON
		}
		var dim, sev string
		for i, dst := range []*string{&f.Rule, &dim, &sev, &f.ResourceID} {
			if i > 0 && !p.byte(',') {
				return out, errFindingsJSON
			}
			if *dst, err = p.str(); err != nil {
				return out, err
			}
		}
		f.Dimension, f.Severity = vigie.Dimension(dim), vigie.Severity(sev)
		if !p.byte(',') {
			return out, errFindingsJSON
		}
		if f.Points, err = strconv.ParseFloat(p.number(), 64); err != nil {
			return out, errFindingsJSON
		}
		for _, dst := range []*int64{&f.MessageID, &f.HintID} {
			if !p.byte(',') {
				return out, errFindingsJSON
			}
			if *dst, err = strconv.ParseInt(p.number(), 10, 64); err != nil {
				return out, errFindingsJSON
			}
		}
		if !p.byte(']') {
			return out, errFindingsJSON
		}
		out = append(out, f)
		if p.byte(']') {
			return out, p.end()
		}
		if !p.byte(',') {
			return out, errFindingsJSON
		}
	}
}

type findingsParser struct {
	s string
	i int
}

func (p *findingsParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

// byte consumes c (after any whitespace) and reports whether it was there.
func (p *findingsParser) byte(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *findingsParser) end() error {
	p.space()
	if p.i != len(p.s) {
		return errFindingsJSON
	}
	return nil
}

func (p *findingsParser) str() (string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", errFindingsJSON
	}
	start := p.i
	escaped := false
	for j := start + 1; j < len(p.s); j++ {
		switch p.s[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			p.i = j + 1
			if !escaped {
				return p.s[start+1 : j], nil
			}
			var v string
			if err := json.Unmarshal([]byte(p.s[start:p.i]), &v); err != nil {
				return "", errFindingsJSON
			}
			return v, nil
		}
	}
	return "", errFindingsJSON
}

func (p *findingsParser) number() string {
	p.space()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// textResolver turns finding_texts ids into texts, each read once, in the
// language of a report scope ("" for both).
type textResolver struct {
	ctx   context.Context
	get   *sql.Stmt
	lang  string
	cache map[int64]vigie.Text
}

// textCacheMax is how many texts a resolver keeps: more than one score run
// of 100,000 datasets uses.
const textCacheMax = 1 << 17

// preparer is what a text resolver reads the dictionary through.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// textSource is where texts are looked up while the findings cursor reads
// on c: c itself on SQLite (one connection runs several statements at once),
// another connection of the pool on PostgreSQL (a connection that is
// reading rows takes no other query).
func (db *DB) textSource(c preparer) preparer {
	if db.dialect == postgres && db.snap == nil {
		return db.sql
	}
	return c
}

func newTextResolver(ctx context.Context, q preparer, lang string) (*textResolver, error) {
	st, err := q.PrepareContext(ctx, `SELECT fr, en FROM finding_texts WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	return &textResolver{ctx: ctx, get: st, lang: lang, cache: map[int64]vigie.Text{}}, nil
}

func (r *textResolver) close() {
	if r != nil && r.get != nil {
		r.get.Close()
	}
}

// text returns the text of id (empty for 0 or an id the dictionary lacks)
// in the resolver's language: with a language, both fields hold it (the
// English falls back to the French when empty).
func (r *textResolver) text(id int64) (vigie.Text, error) {
	if id == 0 {
		return vigie.Text{}, nil
	}
	if t, ok := r.cache[id]; ok {
		return t, nil
	}
	var t vigie.Text
	err := r.get.QueryRowContext(r.ctx, id).Scan(&t.FR, &t.EN)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return t, err
	}
	switch r.lang {
	case "en":
		if t.EN == "" {
			t.EN = t.FR
		}
		t.FR = t.EN
	case "fr":
		t.EN = t.FR
	}
	if len(r.cache) >= textCacheMax { // memory stays flat over many runs
		clear(r.cache)
	}
	r.cache[id] = t
	return t, nil
}

// findings decodes a dataset_findings value and resolves its texts.
func (r *textResolver) findings(raw string, buf []storedFinding) ([]vigie.Finding, []storedFinding, error) {
	buf, err := parseFindingsJSON(raw, buf[:0])
	if err != nil {
		return nil, buf, err
	}
	out := make([]vigie.Finding, len(buf))
	for i, s := range buf {
		f := &out[i]
		f.Rule, f.Dimension, f.Severity, f.ResourceID, f.Points = s.Rule, s.Dimension, s.Severity, s.ResourceID, s.Points
		if f.Message, err = r.text(s.MessageID); err != nil {
			return nil, buf, err
		}
		if f.Hint, err = r.text(s.HintID); err != nil {
			return nil, buf, err
		}
	}
	return out, buf, nil
}

// damagedFindings explains a dataset_findings value that does not parse.
func damagedFindings(runID int64, datasetID string) error {
	return &vigie.Error{Kind: vigie.KindNotScored, ID: "store.findings_damaged", Args: []any{datasetID, id(runID)}, Run: runID}
}
