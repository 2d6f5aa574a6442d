package store

import (
	"cmp"
	"context"
	"database/sql"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// linkReadBatch is how many datasets EachDatasetLinks reads at a time: their
// rows, then their resources, each in one statement. A batch holds a few
// megabytes, and the score stage keeps up to four while they are scored on
// every core: 500 rather than 1,000 lowers its peak RSS at 100k datasets
// (362-379 against 392-394 MiB) for the same CPU.
var linkReadBatch = 500

// linkINMax is how many URLs one lookup of link results names.
var linkINMax = 500

// eachDatasetLinks passes eachDatasetLinkBatch's batches a dataset at a
// time, with one map of link results reused from dataset to dataset.
func (db *DB) eachDatasetLinks(ctx context.Context, portalID int64, f DatasetFilter,
	fn func(d *vigie.Dataset, links map[string]vigie.LinkResult) error) error {
	links := make(map[string]vigie.LinkResult)
	return db.eachDatasetLinkBatch(ctx, portalID, f, func(b *DatasetLinksBatch) error {
		for _, d := range b.Datasets {
			b.Links(d, links)
			if err := fn(d, links); err != nil {
				return err
			}
		}
		return nil
	})
}

// DatasetLinksBatch is a batch of datasets EachDatasetLinkBatch read, in id
// order, with their resources, and what Links looks their link results up
// in. It stays valid after the next batch is read, and Links may be called
// from several goroutines at once: batches can be scored in parallel.
type DatasetLinksBatch struct {
	Datasets []*vigie.Dataset
	idx      *linkIndex                  // every checked URL, shared by the batches
	links    map[string]vigie.LinkResult // or the batch's own URLs' results
}

// Links fills m, cleared first, with the latest link-check result of each
// of d's resource URLs that was ever checked, keyed by URL (the fields
// EachDatasetLinks describes).
func (b *DatasetLinksBatch) Links(d *vigie.Dataset, m map[string]vigie.LinkResult) {
	clear(m)
	for i := range d.Resources {
		u := d.Resources[i].URL
		var l vigie.LinkResult
		var ok bool
		if b.idx != nil {
			l, ok = b.idx.get(u)
		} else {
			l, ok = b.links[u]
		}
		if ok {
			m[u] = l
		}
	}
}

// EachDatasetLinkBatch reads what EachDatasetLinks reads, in the same
// order, and passes it a batch of datasets at a time (linkReadBatch), so
// that the caller can score batches on several goroutines while the next
// ones are read. fn's error stops the reading and is returned.
func (db *DB) EachDatasetLinkBatch(ctx context.Context, f DatasetFilter, fn func(b *DatasetLinksBatch) error) error {
	portalID, err := db.scopePortal(ctx, f.Scope)
	if err != nil {
		return err
	}
	return db.eachDatasetLinkBatch(ctx, portalID, f, fn)
}

// eachDatasetLinkBatch reads the datasets f selects in id order a batch at a
// time, in one read transaction so that every batch sees the same state.
// When the scope is the whole portal and the database holds no other, every
// row of the links table is read once, in the order it is stored, into a
// linkIndex (56 bytes a URL); otherwise each batch looks its URLs up, in URL
// order. Reading all of it by one join, as before, repeated the 25 dataset
// columns on every resource row and probed the links table once per
// resource in dataset order: a page read for most probes, 4–5 s of CPU at
// 100k datasets against about 1 s for reading the table through.
func (db *DB) eachDatasetLinkBatch(ctx context.Context, portalID int64, f DatasetFilter, fn func(b *DatasetLinksBatch) error) error {
	return db.inReadTx(ctx, func(q querier) error {
		r := linkReader{db: db, q: q, ctx: ctx}
		where, args := f.where(portalID)
		// The organization index would make each batch sort every dataset of
		// the organizations: batches follow the primary key instead.
		where = strings.Replace(where, "d.organization IN", db.unindexed("d.organization")+" IN", 1)
		limit := " ORDER BY d.id LIMIT " + strconv.Itoa(linkReadBatch)
		firstQ := `SELECT ` + datasetCols + ` FROM datasets d WHERE ` + where + limit
		nextQ := `SELECT ` + datasetCols + ` FROM datasets d WHERE ` + where + ` AND d.id > ?` + limit
		resQ := `SELECT r.dataset_id, ` + resourceCols + ` FROM datasets d JOIN resources r ON r.portal_id = d.portal_id AND r.dataset_id = d.id
			WHERE ` + where + ` AND d.id >= ? AND d.id <= ? ORDER BY d.id, r.position`
		resArgs := args
		whole := len(f.Orgs) == 0 && len(f.IDs) == 0
		if whole {
			// The resources of the batch's id range along their primary key,
			// without reading the datasets' rows again; those of a dataset
			// left out (missing, deleted) are skipped.
			resQ = `SELECT r.dataset_id, ` + resourceCols + ` FROM resources r
				WHERE r.portal_id = ? AND r.dataset_id >= ? AND r.dataset_id <= ? ORDER BY r.dataset_id, r.position`
			resArgs = []any{portalID}
		}
		var idx *linkIndex
		if whole {
			var portals int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM portals`).Scan(&portals); err != nil {
				return db.explain(err)
			}
			if portals == 1 {
				var err error
				if idx, err = r.scanLinks(); err != nil {
					return err
				}
			}
		}
		var last string
		for first := true; ; first = false {
			var batch []*vigie.Dataset
			var err error
			if first {
				batch, err = r.datasets(firstQ, args)
			} else {
				batch, err = r.datasets(nextQ, append(slices.Clip(args), last))
			}
			if err != nil || len(batch) == 0 {
				return err
			}
			last = batch[len(batch)-1].ID
			if err := r.resources(resQ, append(slices.Clip(resArgs), batch[0].ID, last), batch); err != nil {
				return err
			}
			b := &DatasetLinksBatch{Datasets: batch, idx: idx}
			if idx == nil {
				if b.links, err = r.linkResults(batch); err != nil {
					return err
				}
			}
			if err := fn(b); err != nil {
				return err
			}
			if len(batch) < linkReadBatch {
				return nil
			}
		}
	})
}

// linkReader holds what eachDatasetLinks reuses from batch to batch.
type linkReader struct {
	db   *DB
	q    querier
	ctx  context.Context
	byID map[string]*vigie.Dataset
	urls []string
}

func (r *linkReader) datasets(q string, args []any) ([]*vigie.Dataset, error) {
	rows, err := r.q.QueryContext(r.ctx, q, args...)
	if err != nil {
		return nil, r.db.explain(err)
	}
	defer rows.Close()
	var out []*vigie.Dataset
	var ds datasetScan
	dest := ds.dest()
	for rows.Next() {
		ds = datasetScan{}
		if err := rows.Scan(dest...); err != nil {
			return nil, r.db.explain(err)
		}
		out = append(out, ds.finish())
	}
	if err := rows.Err(); err != nil {
		return nil, r.db.explain(err)
	}
	return out, nil
}

// resources appends to each dataset of batch its resources, in position
// order.
func (r *linkReader) resources(q string, args []any, batch []*vigie.Dataset) error {
	if r.byID == nil {
		r.byID = make(map[string]*vigie.Dataset, len(batch))
	}
	clear(r.byID)
	for _, d := range batch {
		r.byID[d.ID] = d
	}
	rows, err := r.q.QueryContext(r.ctx, q, args...)
	if err != nil {
		return r.db.explain(err)
	}
	defer rows.Close()
	var id string
	var rs resourceScan
	dest := append([]any{&id}, rs.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return r.db.explain(err)
		}
		if d := r.byID[id]; d != nil {
			d.Resources = append(d.Resources, rs.finish())
		}
	}
	if err := rows.Err(); err != nil {
		return r.db.explain(err)
	}
	return nil
}

// linkResults reads the results of the batch's URLs, looked up in URL
// order, a few hundred at a time, into a map of the batch's own.
func (r *linkReader) linkResults(batch []*vigie.Dataset) (map[string]vigie.LinkResult, error) {
	links := make(map[string]vigie.LinkResult)
	r.urls = r.urls[:0]
	for _, d := range batch {
		for i := range d.Resources {
			r.urls = append(r.urls, d.Resources[i].URL)
		}
	}
	slices.Sort(r.urls)
	urls := slices.Compact(r.urls)
	args := make([]any, 0, linkINMax)
	for lo := 0; lo < len(urls); lo += linkINMax {
		chunk := urls[lo:min(lo+linkINMax, len(urls))]
		args = args[:0]
		for _, u := range chunk {
			args = append(args, u)
		}
		rows, err := r.q.QueryContext(r.ctx, `SELECT `+scoreLinkColumns+` FROM links WHERE url IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+`)`, args...)
		if err != nil {
			return nil, r.db.explain(err)
		}
		var ls scoreLinkScan
		dest := ls.dest()
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, r.db.explain(err)
			}
			l := ls.finish()
			links[l.URL] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, r.db.explain(err)
		}
	}
	return links, nil
}

// inReadTx runs fn with reads that all see one state of the database: a
// read transaction on one connection (REPEATABLE READ on PostgreSQL), or
// the read snapshot db already is.
func (db *DB) inReadTx(ctx context.Context, fn func(q querier) error) error {
	if db.snap != nil || db.pgSnap != nil {
		return fn(db.rd())
	}
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return db.explain(err)
	}
	defer c.Close()
	begin := "BEGIN"
	if db.dialect == postgres {
		begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	}
	if _, err := c.ExecContext(ctx, begin); err != nil {
		return db.explain(err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	return fn(c)
}

// scoreLinkColumns are the links columns scoring reads, in scan order.
const scoreLinkColumns = `url, class, status, head_status, final_url, redirects, content_type, last_modified, reason,
	landing_page, failures, checked_at`

// linkIndex holds the link results scoring reads of every checked URL,
// compactly, in a slice sorted by a 128-bit hash of the URL (not the URL
// itself): the repeated texts (class, content type, reason) held once, the
// final URL only when a redirect changed it, times as nanoseconds. 56 bytes
// a URL, against some 500 for a map of vigie.LinkResult by URL.
type linkIndex struct {
	seed1, seed2 maphash.Seed
	e            []linkEntry
	texts        []string // class, content type and reason texts; 0 is ""
	textID       map[string]uint32
	finals       []string // final URLs that differ from the URL; 0 and 1 are unused
	// odd holds whole the few results that do not fit an entry (a time
	// outside 1678–2262 or not in UTC, a number out of range).
	odd map[[2]uint64]vigie.LinkResult
}

type linkEntry struct {
	h1, h2           uint64
	lastMod, checked int64  // Unix nanoseconds, when the flags say so
	reason, final    uint32 // final: 0 none, 1 the URL itself, else finals[final]
	failures         int32
	redirects        int16
	status, head     int16
	ctype            uint16
	class, flags     uint8
}

const (
	linkLanding = 1 << iota
	linkHasLastMod
	linkHasChecked
)

func newLinkIndex(n int) *linkIndex {
	return &linkIndex{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed(), e: make([]linkEntry, 0, n),
		texts: []string{""}, textID: map[string]uint32{"": 0}, finals: []string{"", ""}, odd: map[[2]uint64]vigie.LinkResult{}}
}

func (x *linkIndex) key(url string) (uint64, uint64) {
	return maphash.String(x.seed1, url), maphash.String(x.seed2, url)
}

func (x *linkIndex) text(s string) uint32 {
	if id, ok := x.textID[s]; ok {
		return id
	}
	id := uint32(len(x.texts))
	x.texts = append(x.texts, s)
	x.textID[s] = id
	return id
}

// utcNanos is t in Unix nanoseconds when that says all of it: in UTC (as
// vigie stores times) and within the years an int64 of nanoseconds spans.
func utcNanos(t time.Time) (int64, bool) {
	if t.Location() != time.UTC || t.Year() < 1679 || t.Year() > 2261 {
		return 0, false
	}
	return t.UnixNano(), true
}

func (x *linkIndex) add(l vigie.LinkResult) {
	h1, h2 := x.key(l.URL)
	e := linkEntry{h1: h1, h2: h2, failures: int32(l.Failures), redirects: int16(l.Redirects), status: int16(l.Status),
		head: int16(l.HeadStatus), reason: x.text(l.Reason)}
	class, ctype := x.text(string(l.Class)), x.text(l.ContentType)
	e.class, e.ctype = uint8(class), uint16(ctype)
	ok := int(e.failures) == l.Failures && int(e.redirects) == l.Redirects && int(e.status) == l.Status &&
		int(e.head) == l.HeadStatus && uint32(e.class) == class && uint32(e.ctype) == ctype
	if l.LandingPage {
		e.flags |= linkLanding
	}
	if l.LastModified != nil {
		e.flags |= linkHasLastMod
		var fits bool
		e.lastMod, fits = utcNanos(*l.LastModified)
		ok = ok && fits
	}
	if !l.CheckedAt.IsZero() {
		e.flags |= linkHasChecked
		var fits bool
		e.checked, fits = utcNanos(l.CheckedAt)
		ok = ok && fits
	}
	if !ok {
		x.odd[[2]uint64{h1, h2}] = l
		return
	}
	switch l.FinalURL {
	case "":
	case l.URL:
		e.final = 1
	default:
		e.final = uint32(len(x.finals))
		x.finals = append(x.finals, l.FinalURL)
	}
	x.e = append(x.e, e)
}

// sort makes the index ready for get, once every result was added.
func (x *linkIndex) sort() {
	slices.SortFunc(x.e, func(a, b linkEntry) int {
		if c := cmp.Compare(a.h1, b.h1); c != 0 {
			return c
		}
		return cmp.Compare(a.h2, b.h2)
	})
}

// get returns the result stored for url.
func (x *linkIndex) get(url string) (vigie.LinkResult, bool) {
	h1, h2 := x.key(url)
	i, found := slices.BinarySearchFunc(x.e, [2]uint64{h1, h2}, func(e linkEntry, k [2]uint64) int {
		if c := cmp.Compare(e.h1, k[0]); c != 0 {
			return c
		}
		return cmp.Compare(e.h2, k[1])
	})
	if !found {
		l, found := x.odd[[2]uint64{h1, h2}]
		return l, found
	}
	e := &x.e[i]
	l := vigie.LinkResult{URL: url, Class: vigie.LinkClass(x.texts[e.class]), Status: int(e.status), HeadStatus: int(e.head),
		Redirects: int(e.redirects), ContentType: x.texts[e.ctype], Reason: x.texts[e.reason], LandingPage: e.flags&linkLanding != 0,
		Failures: int(e.failures)}
	switch e.final {
	case 0:
	case 1:
		l.FinalURL = url
	default:
		l.FinalURL = x.finals[e.final]
	}
	if e.flags&linkHasLastMod != 0 {
		t := time.Unix(0, e.lastMod).UTC()
		l.LastModified = &t
	}
	if e.flags&linkHasChecked != 0 {
		l.CheckedAt = time.Unix(0, e.checked).UTC()
	}
	return l, true
}

// scoreLinkScan holds one row of scoreLinkColumns.
type scoreLinkScan struct {
	url, class, finalURL, ctype, reason        string
	lastMod, checked                           sql.NullString
	status, head, redirects, landing, failures int64
}

func (s *scoreLinkScan) dest() []any {
	return []any{&s.url, &s.class, &s.status, &s.head, &s.finalURL, &s.redirects, &s.ctype, &s.lastMod, &s.reason,
		&s.landing, &s.failures, &s.checked}
}

func (s *scoreLinkScan) finish() vigie.LinkResult {
	return vigie.LinkResult{URL: s.url, Class: vigie.LinkClass(s.class), Status: int(s.status), HeadStatus: int(s.head),
		FinalURL: s.finalURL, Redirects: int(s.redirects), ContentType: s.ctype, LastModified: parseTSPtr(s.lastMod),
		Reason: s.reason, LandingPage: s.landing != 0, Failures: int(s.failures), CheckedAt: parseTS(s.checked)}
}

// scanLinks reads every row of the links table, in the order it is stored,
// into a linkIndex.
func (r *linkReader) scanLinks() (*linkIndex, error) {
	var n int // counted first, so the index is allocated once at its size
	if err := r.q.QueryRowContext(r.ctx, `SELECT COUNT(*) FROM links`).Scan(&n); err != nil {
		return nil, r.db.explain(err)
	}
	rows, err := r.q.QueryContext(r.ctx, `SELECT `+scoreLinkColumns+` FROM links`)
	if err != nil {
		return nil, r.db.explain(err)
	}
	defer rows.Close()
	x := newLinkIndex(n)
	var ls scoreLinkScan
	dest := ls.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, r.db.explain(err)
		}
		x.add(ls.finish())
	}
	if err := rows.Err(); err != nil {
		return nil, r.db.explain(err)
	}
	x.sort()
	return x, nil
}
