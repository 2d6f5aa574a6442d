package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
)

// dueResource is one resource of the scope's active datasets: its URL and
// its declared format.
type dueResource struct{ url, format string }

// urlsToCheckMerged is URLsToCheck on SQLite without the engine's grouping
// and sorting: the scope's resources are read in their key order (the
// table's own order), sorted by URL here, and merged with links read in its
// key order (URL), so that no URL is probed at random and no temporary
// B-tree is built; the list's order is then made here. It gives what
// urlsToCheckGrouped gives, formats in the same order: SQLite's GROUP BY
// fed its groups in the resources' key order, DISTINCT kept each format's
// first resource, and the JSON array's text passed every byte through but
// invalid UTF-8, which decoding turned into U+FFFD.
func (db *DB) urlsToCheckMerged(ctx context.Context, portalID int64, s vigie.Scope, all bool, olderThan time.Duration) ([]LinkTarget, error) {
	res, order, err := db.dueResources(ctx, portalID, s)
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, nil
	}
	cutoff := ""
	if !all {
		cutoff = ts(db.Now().Add(-olderThan))
	}
	// Keyed order of links, the same byte order as Go's string comparison
	// (BINARY collation).
	rows, err := db.sql.QueryContext(ctx, `SELECT url, checked_at, failures, first_failure, last_success, skipped
		FROM links ORDER BY url`)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	// The due URLs in URL order; those checked before (with a links row)
	// are also listed with their last check's time.
	merged := make([]LinkTarget, 0, len(res))
	known := make([]int32, 0, len(res))
	checked := make([]string, 0, len(res))
	hist := make([]vigie.LinkHistory, 0, len(res)) // by known
	lists := formatLists{one: map[string][]string{}, many: map[string][]string{}}
	var lurl sql.RawBytes
	var lchecked, lfirst, llast sql.NullString
	var lfailures, lskipped int64
	haveLink := false
	next := func() error {
		haveLink = false
		if !rows.Next() {
			return rows.Err()
		}
		if err := rows.Scan(&lurl, &lchecked, &lfailures, &lfirst, &llast, &lskipped); err != nil {
			return err
		}
		haveLink = true
		return nil
	}
	if err := next(); err != nil {
		return nil, db.explain(err)
	}
	group := make([]dueResource, 0, 4)
	for i := 0; i < len(order); {
		u := res[order[i]].url
		group = group[:0]
		for ; i < len(order) && res[order[i]].url == u; i++ {
			group = append(group, res[order[i]])
		}
		for haveLink && string(lurl) < u {
			if err := next(); err != nil {
				return nil, db.explain(err)
			}
		}
		t := LinkTarget{URL: u}
		if haveLink && string(lurl) == u {
			if !all && !(lchecked.String < cutoff || lskipped != 0) {
				continue
			}
			known = append(known, int32(len(merged)))
			checked = append(checked, lchecked.String)
			hist = append(hist, vigie.LinkHistory{Failures: int(lfailures), FirstFailure: parseTS(lfirst), LastSuccess: parseTS(llast)})
		}
		t.Formats = lists.of(group)
		merged = append(merged, t)
	}
	if err := rows.Close(); err != nil {
		return nil, db.explain(err)
	}
	// Never checked first, then the longest unchecked; ties by URL, the
	// order merged is in.
	//
	// Each URL and previous state is allocated anew in the list's order, as
	// rows read in that order were: the checker's workers, and the
	// collector on every cycle of the stage, go through the list in order,
	// and URLs left where the scan (in dataset order) put them cost the
	// collector about 1.5 s more a night at 100k, pointer by pointer.
	list := make([]LinkTarget, 0, len(merged))
	k := 0
	for i := range merged {
		if k < len(known) && known[k] == int32(i) {
			k++
			continue
		}
		t := merged[i]
		t.URL = strings.Clone(t.URL)
		list = append(list, t)
	}
	for _, k := range byText(checked) {
		t := merged[known[k]]
		t.URL = strings.Clone(t.URL)
		prev := hist[k]
		t.Prev = &prev
		list = append(list, t)
	}
	return list, nil
}

// dueResources reads the URL and format of the scope's resources with a
// non-blank URL, in the table's key order, and their order by URL, keeping
// the key order within a URL. The scan is most of the list's work: the
// portal's datasets are read in two halves at once, on two connections
// (each half in key order, the first before the second).
func (db *DB) dueResources(ctx context.Context, portalID int64, s vigie.Scope) ([]dueResource, []int32, error) {
	var split string
	err := db.sql.QueryRowContext(ctx, `SELECT id FROM datasets WHERE portal_id = ? ORDER BY id
		LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM datasets WHERE portal_id = ?)`, portalID, portalID).Scan(&split)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, db.explain(err)
	}
	var halves [2][]dueResource
	var errs [2]error
	var wg sync.WaitGroup
	for h, cond := range []string{"r.dataset_id < ?", "r.dataset_id >= ?"} {
		wg.Go(func() { halves[h], errs[h] = db.dueResourcesOf(ctx, portalID, s, cond, split) })
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, err
	}
	res := append(halves[0], halves[1]...)
	urls := make([]string, len(res))
	for i := range res {
		urls[i] = res[i].url
	}
	return res, byText(urls), nil
}

// dueResourcesOf reads the URL and format of the scope's resources with a
// non-blank URL whose dataset meets cond (on one argument, arg), in the
// table's key order.
func (db *DB) dueResourcesOf(ctx context.Context, portalID int64, s vigie.Scope, cond, arg string) ([]dueResource, error) {
	orgSQL, orgArgs := sqlIn("d.organization", s.Orgs)
	args := append([]any{portalID, arg}, orgArgs...)
	rows, err := db.sql.QueryContext(ctx, `SELECT r.url, r.format
		FROM resources r
		JOIN datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id AND d.state = 'active'
		WHERE r.portal_id = ? AND `+cond+` AND trim(r.url) <> ''`+orgSQL+`
		ORDER BY r.portal_id, r.dataset_id, r.position`, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var res []dueResource
	formats := map[string]string{} // a handful of distinct formats, each held once
	var u, f sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&u, &f); err != nil {
			return nil, db.explain(err)
		}
		format, ok := formats[string(f)]
		if !ok {
			format = string(f)
			formats[format] = format
		}
		res = append(res, dueResource{url: string(u), format: format})
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return res, nil
}

// formatLists shares the lists of formats of the due URLs: most URLs come
// with one of a few lists, each built once (nothing writes into a target's
// formats; the checker's merge of duplicates makes its own array). one is
// keyed by a lone resource's format, many by the distinct formats of a
// group, each prefixed by its length.
type formatLists struct {
	one, many map[string][]string
	key       []byte
}

// of is the list of formats of one URL's resources (sorted by key): each
// distinct format once, in the order of its first resource, as JSON text
// would decode it, trimmed, blanks left out.
func (l *formatLists) of(group []dueResource) []string {
	if len(group) == 1 {
		f := group[0].format
		if fs, ok := l.one[f]; ok {
			return fs
		}
		fs := appendFormat(nil, f)
		l.one[f] = fs
		return fs
	}
	var distinct []string
	l.key = l.key[:0]
	for _, r := range group {
		if slices.Contains(distinct, r.format) {
			continue
		}
		distinct = append(distinct, r.format)
		l.key = binary.AppendUvarint(l.key, uint64(len(r.format)))
		l.key = append(l.key, r.format...)
	}
	if fs, ok := l.many[string(l.key)]; ok {
		return fs
	}
	var fs []string
	for _, f := range distinct {
		fs = appendFormat(fs, f)
	}
	l.many[string(l.key)] = fs
	return fs
}

// appendFormat appends f as a format list decoded from JSON holds it:
// invalid UTF-8 bytes each became U+FFFD, spaces trimmed, blank left out.
func appendFormat(fs []string, f string) []string {
	if !utf8.ValidString(f) {
		var b strings.Builder
		for i := 0; i < len(f); {
			r, n := utf8.DecodeRuneInString(f[i:])
			if r == utf8.RuneError && n == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.WriteString(f[i : i+n])
			}
			i += n
		}
		f = b.String()
	}
	if f = strings.TrimSpace(f); f != "" {
		fs = append(fs, f)
	}
	return fs
}

// byText is the order of texts (byte order, as SQLite's BINARY collation),
// equal texts in index order. Comparing long strings that share their
// first bytes (a host's URLs, a night's check times) is most of a sort's
// work, so texts are sorted by the 8 bytes that follow the prefix they all
// share, as a number, then each run of equal numbers the same way from the
// prefix its own texts share (a radix sort by 8-byte digits); texts that
// end inside those bytes are compared in full.
func byText(texts []string) []int32 {
	ks := make([]keyedText, len(texts))
	for i := range ks {
		ks[i].i = int32(i)
	}
	if len(ks) > 0 {
		sortTexts(ks, texts, sharedPrefix(ks, texts, 0))
	}
	order := make([]int32, len(ks))
	for i, k := range ks {
		order[i] = k.i
	}
	return order
}

// keyedText is a text's index and 8 of its bytes as a big-endian number.
type keyedText struct {
	key uint64
	i   int32
}

// sharedPrefix is the length of the prefix all of ks's texts share, known
// to be at least from.
func sharedPrefix(ks []keyedText, texts []string, from int) int {
	first := texts[ks[0].i]
	l := len(first)
	for _, k := range ks[1:] {
		s := texts[k.i]
		n := min(l, len(s))
		j := from
		for j < n && s[j] == first[j] {
			j++
		}
		l = j
	}
	return l
}

// sortTexts sorts ks by their texts, which share their first depth bytes.
func sortTexts(ks []keyedText, texts []string, depth int) {
	for i := range ks {
		var b [8]byte
		if s := texts[ks[i].i]; depth < len(s) {
			copy(b[:], s[depth:])
		}
		ks[i].key = binary.BigEndian.Uint64(b[:])
	}
	slices.SortFunc(ks, func(a, b keyedText) int { return cmp.Compare(a.key, b.key) })
	for i := 0; i < len(ks); {
		j := i + 1
		for j < len(ks) && ks[j].key == ks[i].key {
			j++
		}
		if run := ks[i:j]; len(run) > 1 {
			if l := sharedPrefix(run, texts, depth); l > depth {
				sortTexts(run, texts, l)
			} else { // a text ends here, or all are the same
				slices.SortFunc(run, func(a, b keyedText) int {
					if c := strings.Compare(texts[a.i], texts[b.i]); c != 0 {
						return c
					}
					return cmp.Compare(a.i, b.i)
				})
			}
		}
		i = j
	}
}
