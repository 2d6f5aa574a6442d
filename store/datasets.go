package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

// SaveCounts says what one SaveDatasets call did.
type SaveCounts struct {
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Restored  int `json:"restored"` // were missing or deleted, listed again
}

// Add adds o to c.
func (c *SaveCounts) Add(o SaveCounts) {
	c.New += o.New
	c.Changed += o.Changed
	c.Unchanged += o.Unchanged
	c.Restored += o.Restored
}

// Frequency returns the declared update frequency of d as declared, ""
// when none: quality.ReadFrequency, the reader scoring uses.
func Frequency(d *vigie.Dataset) string {
	return quality.ReadFrequency(d, nil).Raw
}

// ContentHash is the hash of a dataset's normalised content (not its raw
// JSON); two harvests of an unedited dataset give the same hash whatever the
// API call that returned it.
func ContentHash(d *vigie.Dataset) string {
	h := hashers.Get().(*contentHasher)
	defer h.release()
	h.str(d.ID, d.Name, d.Title, d.TitleEN, d.Notes, d.Organization, d.OrganizationTitle, d.LicenseID, d.LicenseTitle,
		d.LicenseURL, d.CKANState, d.Type, d.Author, d.AuthorEmail, d.Maintainer, d.MaintainerEmail, d.URL, d.Version)
	h.boolPtr(d.IsOpen)
	h.boolPtr(&d.Private)
	h.time(d.MetadataCreated)
	h.time(d.MetadataModified)
	h.list(d.Tags)
	h.list(d.Groups)
	h.dict(d.Extras)
	h.int(int64(len(d.Resources)))
	for i := range d.Resources {
		r := &d.Resources[i]
		h.str(r.ID, r.Name, r.Description, r.Format, r.Mimetype, r.URL, r.ResourceType, r.URLType)
		if r.Size != nil {
			h.int(*r.Size)
		} else {
			h.int(-1)
		}
		h.timePtr(r.Created)
		h.timePtr(r.LastModified)
		h.dict(r.Extras)
	}
	sum := sha256.Sum256(h.buf)
	return hex.EncodeToString(sum[:16])
}

// contentHasher gathers length-prefixed fields, hashed at once, so that no
// two different datasets write the same byte stream.
type contentHasher struct {
	buf  []byte
	keys []string // a dict's keys, sorted
}

// hashers keep their buffers from one dataset to the next: each hash
// allocated 8 KiB, and a slice of keys for each dict.
var hashers = sync.Pool{New: func() any { return &contentHasher{buf: make([]byte, 0, 8192)} }}

func (c *contentHasher) release() {
	if cap(c.buf) > 1<<20 { // an unusually large dataset: let it go
		return
	}
	c.buf = c.buf[:0]
	hashers.Put(c)
}

func (c *contentHasher) int(n int64) {
	c.buf = binary.AppendVarint(c.buf, n)
}

func (c *contentHasher) str(ss ...string) {
	for _, s := range ss {
		c.int(int64(len(s)))
		c.buf = append(c.buf, s...)
	}
}

func (c *contentHasher) boolPtr(b *bool) {
	switch {
	case b == nil:
		c.int(-1)
	case *b:
		c.int(1)
	default:
		c.int(0)
	}
}

func (c *contentHasher) time(t time.Time) {
	if t.IsZero() {
		c.int(-1)
		return
	}
	c.int(t.UnixNano())
}

func (c *contentHasher) timePtr(t *time.Time) {
	if t == nil {
		c.int(-1)
		return
	}
	c.time(*t)
}

func (c *contentHasher) list(l []string) {
	c.int(int64(len(l)))
	c.str(l...)
}

func (c *contentHasher) dict(m map[string]string) {
	keys := c.keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	c.int(int64(len(keys)))
	for _, k := range keys {
		c.str(k, m[k])
	}
	clear(keys) // the pool keeps no dataset's text
	c.keys = keys[:0]
}

// saveRowsMax is how many datasets SaveDatasets writes per batch of
// statements, and how many rows one multi-row statement writes.
const saveRowsMax = 32

// saveStmts write the rows of one SaveDatasets transaction, saveRowsMax
// datasets at a time: each table's rows of the batch go in multi-row
// statements (one statement costs about as much again as the row it writes).
type saveStmts struct {
	ctx    context.Context
	tx     *sql.Tx
	delRes *sql.Stmt
	// the datasets' rows, their resources, versions and events, and the
	// unchanged datasets seen again
	upsert, res, version, event, seen *multiRow
	batch                             map[string]struct{} // ids with rows pending
}

func prepareSave(ctx context.Context, tx *sql.Tx, insert string, portalID, runID int64) (*saveStmts, error) {
	s := &saveStmts{ctx: ctx, tx: tx, batch: make(map[string]struct{}, saveRowsMax)}
	var err error
	s.delRes, err = tx.PrepareContext(ctx, `DELETE FROM resources WHERE portal_id = ? AND dataset_id = ?`)
	s.upsert = s.multi(`INSERT INTO datasets (portal_id, id, name, title, title_en, notes, organization, organization_title,
	license_id, license_title, license_url, isopen, private, ckan_state, type, author, author_email, maintainer,
	maintainer_email, url, version, update_frequency, metadata_created, metadata_modified, tags, groups_, extras,
	num_resources, content_hash, state, misses, first_seen_run, last_seen_run, state_changed_run) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 0, ?, ?, ?)`,
		datasetUpsertTail, 32, nil)
	s.res = s.multi(insert+` INTO resources (portal_id, dataset_id, id, position, name, description, format, mimetype,
	url, resource_type, url_type, size, created, last_modified, extras) VALUES `,
		`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, "", 15, nil)
	s.version = s.multi(`INSERT INTO dataset_versions (portal_id, dataset_id, run_id, content_hash, metadata_modified, raw) VALUES `,
		`(?, ?, ?, ?, ?, ?)`, "", 6, nil)
	s.event = s.multi(`INSERT INTO dataset_events (run_id, portal_id, dataset_id, kind) VALUES `, `(?, ?, ?, ?)`,
		` ON CONFLICT DO NOTHING`, 4, nil)
	s.seen = s.multi(`UPDATE datasets SET state = 'active', misses = 0, last_seen_run = ?,
		state_changed_run = CASE WHEN state <> 'active' THEN ? ELSE state_changed_run END WHERE portal_id = ? AND id IN (`,
		`?`, `)`, 1, []any{runID, runID, portalID})
	return s, err
}

const datasetUpsertTail = `
	ON CONFLICT(portal_id, id) DO UPDATE SET name = excluded.name, title = excluded.title, title_en = excluded.title_en,
	notes = excluded.notes, organization = excluded.organization, organization_title = excluded.organization_title,
	license_id = excluded.license_id, license_title = excluded.license_title, license_url = excluded.license_url,
	isopen = excluded.isopen, private = excluded.private, ckan_state = excluded.ckan_state, type = excluded.type,
	author = excluded.author, author_email = excluded.author_email, maintainer = excluded.maintainer,
	maintainer_email = excluded.maintainer_email, url = excluded.url, version = excluded.version,
	update_frequency = excluded.update_frequency, metadata_created = excluded.metadata_created,
	metadata_modified = excluded.metadata_modified, tags = excluded.tags, groups_ = excluded.groups_,
	extras = excluded.extras, num_resources = excluded.num_resources, content_hash = excluded.content_hash,
	state = 'active', misses = 0, last_seen_run = excluded.last_seen_run,
	state_changed_run = CASE WHEN datasets.state <> 'active' THEN excluded.last_seen_run ELSE datasets.state_changed_run END`

func (s *saveStmts) multi(head, row, tail string, width int, lead []any) *multiRow {
	return &multiRow{ctx: s.ctx, tx: s.tx, head: head, row: row, tail: tail, width: width, lead: lead}
}

func (s *saveStmts) close() {
	if s.delRes != nil {
		s.delRes.Close()
	}
	for _, m := range []*multiRow{s.upsert, s.res, s.version, s.event, s.seen} {
		m.close()
	}
}

// flush writes the pending rows of the batch.
func (s *saveStmts) flush() error {
	for _, m := range []*multiRow{s.upsert, s.res, s.version, s.event, s.seen} {
		if err := m.flush(); err != nil {
			return err
		}
	}
	clear(s.batch)
	return nil
}

// multiRow is one statement written for up to saveRowsMax rows at a time:
// head, then row repeated, then tail; lead are the arguments that come
// before the rows' own (width each).
type multiRow struct {
	ctx             context.Context
	tx              *sql.Tx
	head, row, tail string
	width           int
	lead            []any
	stmts           [saveRowsMax + 1]*sql.Stmt // by number of rows, prepared once per transaction
	args            []any                      // pending rows
	call            []any
}

func (m *multiRow) add(args ...any) { m.args = append(m.args, args...) }

func (m *multiRow) flush() error {
	defer func() { m.args = m.args[:0] }()
	for args := m.args; len(args) > 0; {
		n := min(len(args)/m.width, saveRowsMax)
		st := m.stmts[n]
		if st == nil {
			q := m.head + strings.TrimSuffix(strings.Repeat(m.row+", ", n), ", ") + m.tail
			var err error
			if st, err = m.tx.PrepareContext(m.ctx, q); err != nil {
				return err
			}
			m.stmts[n] = st
		}
		m.call = append(append(m.call[:0], m.lead...), args[:n*m.width]...)
		if _, err := st.ExecContext(m.ctx, m.call...); err != nil {
			return err
		}
		args = args[n*m.width:]
	}
	return nil
}

func (m *multiRow) close() {
	for _, st := range m.stmts {
		if st != nil {
			st.Close()
		}
	}
}

// SaveDatasets stores one page of datasets seen by harvest run runID, in one
// transaction. A dataset whose content hash is unchanged only has its state
// set active and its last-seen run updated; a new or changed one is written
// whole (resources rewritten) with a new version row holding its raw JSON.
// Events record new, changed and restored datasets.
func (db *DB) SaveDatasets(ctx context.Context, portalID, runID int64, ds []vigie.Dataset) (SaveCounts, error) {
	var c SaveCounts
	if len(ds) == 0 {
		return c, ctx.Err()
	}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		// a bigger page cache for this connection: harvests touch many
		// pages; and a checkpoint every 64 MiB of log instead of 4 MiB, so
		// that a page rewritten by several pages' commits reaches the file
		// once (the log is truncated at the end of the pass)
		for _, q := range []string{`PRAGMA cache_size = -32768`, harvestAutoCheckpoint} {
			if err := db.pragma(ctx, tx, q); err != nil {
				return err
			}
		}
		s, err := prepareSave(ctx, tx, db.insertMulti(), portalID, runID)
		defer s.close()
		if err != nil {
			return err
		}
		old, err := s.stored(planEach(ctx), portalID, ds)
		if err != nil {
			return err
		}
		// hash, and compress what will be written, on another core while
		// SQLite writes: work[i] is ready once ready has been received from
		// i+1 times
		work := make([]prepared, len(ds))
		ready := make(chan struct{}, len(ds))
		stop, done := make(chan struct{}), make(chan struct{})
		defer func() { close(stop); <-done }()
		go func() {
			defer close(done)
			for i := range ds {
				select {
				case <-stop:
					return
				default:
				}
				w := &work[i]
				w.hash = ContentHash(&ds[i])
				if o, ok := old[ds[i].ID]; !ok || o.hash != w.hash {
					w.fill(&ds[i])
				}
				ready <- struct{}{}
			}
		}()
		saved := make(map[string]storedState) // a dataset listed twice in the page
		for i := range ds {
			<-ready
			o, exists := saved[ds[i].ID]
			if !exists {
				o, exists = old[ds[i].ID]
			}
			if err := s.save(portalID, runID, &ds[i], &work[i], o, exists, &c); err != nil {
				return fmt.Errorf("save dataset %s (%s): %w", ds[i].Name, ds[i].ID, err)
			}
			saved[ds[i].ID] = storedState{hash: work[i].hash, state: vigie.StateActive}
			if len(s.batch) == saveRowsMax {
				if err := s.flush(); err != nil {
					return fmt.Errorf("save datasets: %w", err)
				}
			}
		}
		if err := s.flush(); err != nil {
			return fmt.Errorf("save datasets: %w", err)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil { // cancelled mid-page: the transaction was rolled back
			return SaveCounts{}, ctx.Err()
		}
		return SaveCounts{}, db.explain(err)
	}
	return c, nil
}

// harvestAutoCheckpoint is the checkpoint threshold of the connections
// that save a harvest's pages: 16,384 pages of 4 KiB, 64 MiB of log (66 MiB
// at most in a first pass of 100,000 datasets, with one page's commit on
// top). The connections keep it after the pass; FinishHarvestRun truncates
// the log.
const harvestAutoCheckpoint = `PRAGMA wal_autocheckpoint = 16384`

// prepared is what the hashing goroutine computes for a dataset, so that
// the writing goroutine only runs statements.
type prepared struct {
	hash string
	// only when the content is new or changed:
	raw                        []byte // packed raw JSON
	tags, groups, extras, freq string
	resExtras                  []string // each resource's extras as stored
}

// fill computes the columns of a new or changed dataset that are not plain
// fields: its packed raw JSON and the JSON of its lists and extras.
func (w *prepared) fill(d *vigie.Dataset) {
	raw := []byte(d.Raw)
	if len(raw) == 0 {
		raw, _ = json.Marshal(d)
	}
	w.raw = packRaw(raw)
	w.tags, w.groups, w.extras = encodeStrings(d.Tags), encodeStrings(d.Groups), encodeStringMap(d.Extras)
	w.freq = Frequency(d)
	w.resExtras = make([]string, len(d.Resources))
	for i := range d.Resources {
		w.resExtras[i] = encodeStringMap(d.Resources[i].Extras)
	}
}

// storedState is a dataset's content hash and state before the page.
type storedState struct{ hash, state string }

// stored reads, in one query per 500 ids, the content hash and state of the
// page's datasets that the database already holds.
func (s *saveStmts) stored(ctx context.Context, portalID int64, ds []vigie.Dataset) (map[string]storedState, error) {
	out := make(map[string]storedState, len(ds))
	const chunk = 500
	for lo := 0; lo < len(ds); lo += chunk {
		hi := min(lo+chunk, len(ds))
		args := make([]any, 0, hi-lo+1)
		args = append(args, portalID)
		var q strings.Builder
		q.WriteString(`SELECT id, content_hash, state FROM datasets WHERE portal_id = ? AND id IN (`)
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteByte(',')
			}
			q.WriteByte('?')
			args = append(args, ds[i].ID)
		}
		q.WriteByte(')')
		rows, err := s.tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var st storedState
			if err := rows.Scan(&id, &st.hash, &st.state); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// save adds d's rows, prepared in w, to the batch; old is its stored state,
// when exists.
func (s *saveStmts) save(portalID, runID int64, d *vigie.Dataset, w *prepared, old storedState, exists bool, c *SaveCounts) error {
	if d.ID == "" {
		return errors.New("dataset has no id")
	}
	if _, again := s.batch[d.ID]; again {
		// listed twice in the page: its first rows go first, so that the
		// second is an update of them
		if err := s.flush(); err != nil {
			return err
		}
	}
	s.batch[d.ID] = struct{}{}
	hash := w.hash
	oldHash, oldState := old.hash, old.state
	if exists && oldState != vigie.StateActive {
		c.Restored++
		s.event.add(runID, portalID, d.ID, "restored")
	}
	if exists && oldHash == hash {
		c.Unchanged++
		s.seen.add(d.ID)
		return nil
	}
	kind := "new"
	if exists {
		kind = "changed"
		c.Changed++
	} else {
		c.New++
	}
	if w.raw == nil { // listed twice in the page, changed the second time
		w.fill(d)
	}
	var isopen any
	if d.IsOpen != nil {
		isopen = *d.IsOpen
	}
	var firstSeen any = runID
	var stateChanged any
	if !exists {
		stateChanged = runID
	}
	s.upsert.add(portalID, d.ID, d.Name, d.Title, d.TitleEN, d.Notes, d.Organization, d.OrganizationTitle,
		d.LicenseID, d.LicenseTitle, d.LicenseURL, isopen, d.Private, d.CKANState, d.Type, d.Author, d.AuthorEmail, d.Maintainer,
		d.MaintainerEmail, d.URL, d.Version, w.freq, tsZero(d.MetadataCreated), tsZero(d.MetadataModified),
		w.tags, w.groups, w.extras, len(d.Resources), hash, firstSeen, runID, stateChanged)
	if exists {
		// the old resources go before the batch's new rows are written
		if _, err := s.delRes.ExecContext(s.ctx, portalID, d.ID); err != nil {
			return err
		}
	}
	for i := range d.Resources {
		r := &d.Resources[i]
		var size any
		if r.Size != nil {
			size = *r.Size
		}
		s.res.add(portalID, d.ID, r.ID, i, r.Name, r.Description, r.Format, r.Mimetype,
			r.URL, r.ResourceType, r.URLType, size, tsPtr(r.Created), tsPtr(r.LastModified), w.resExtras[i])
	}
	s.version.add(portalID, d.ID, runID, hash, tsZero(d.MetadataModified), w.raw)
	s.event.add(runID, portalID, d.ID, kind)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DatasetFilter selects datasets of the scope's portal (of its
// organizations when it names some). Empty fields select everything, except
// States, which defaults to active datasets only.
type DatasetFilter struct {
	vigie.Scope
	States []string // active, missing, deleted; default active only
	IDs    []string // dataset ids or names
}

func (f DatasetFilter) where(portalID int64) (string, []any) {
	conds := []string{"d.portal_id = ?"}
	args := []any{portalID}
	in := func(col string, vals []string) {
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	states := f.States
	if len(states) == 0 {
		states = []string{vigie.StateActive}
	}
	in("d.state", states)
	if len(f.Orgs) > 0 {
		in("d.organization", f.Orgs)
	}
	if len(f.IDs) > 0 {
		n := len(conds)
		in("d.id", f.IDs)
		in("d.name", f.IDs)
		conds = append(conds[:n], "("+conds[n]+" OR "+conds[n+1]+")") // ids bound once per column
	}
	return strings.Join(conds, " AND "), args
}

const datasetCols = `d.id, d.name, d.title, d.title_en, d.notes, d.organization, d.organization_title, d.license_id,
	d.license_title, d.license_url, d.isopen, d.private, d.ckan_state, d.type, d.author, d.author_email, d.maintainer,
	d.maintainer_email, d.url, d.version, d.metadata_created, d.metadata_modified, d.tags, d.groups_, d.extras`

const resourceCols = `r.id, r.position, r.name, r.description, r.format, r.mimetype, r.url, r.resource_type, r.url_type,
	r.size, r.created, r.last_modified, r.extras`

// EachDataset calls fn for every dataset of the portal that f selects, in
// name order, with its resources, tags, groups and extras (not its raw JSON).
// Datasets are streamed: the catalogue is never held in memory. fn must not
// keep the pointer after it returns. An error from fn stops the iteration and
// is returned as is.
func (db *DB) EachDataset(ctx context.Context, f DatasetFilter, fn func(*vigie.Dataset) error) error {
	return db.EachDatasetState(ctx, f, func(d *vigie.Dataset, _ string) error { return fn(d) })
}

// EachDatasetState is EachDataset that also passes each dataset's state
// (active, missing or deleted).
func (db *DB) EachDatasetState(ctx context.Context, f DatasetFilter, fn func(d *vigie.Dataset, state string) error) error {
	portalID, err := db.scopePortal(ctx, f.Scope)
	if err != nil {
		return err
	}
	return db.eachDataset(ctx, portalID, f, fn)
}

// EachDatasetLinks is EachDataset in dataset id order (the order of the
// datasets' rows and of everything keyed by dataset, which makes both the
// reading and the writing of per-dataset results sequential) that also
// passes the latest link-check result of each of the dataset's resource URLs
// that was ever checked, keyed by URL, with the fields scoring reads: URL,
// class, status, HEAD status, final URL, redirects, content type, last
// modified, reason, landing page, failures and check time (not the content
// length, ETag, time taken, first failure, last success or skip mark). fn
// must not keep the map after it returns: it is reused for the next dataset.
func (db *DB) EachDatasetLinks(ctx context.Context, f DatasetFilter, fn func(d *vigie.Dataset, links map[string]vigie.LinkResult) error) error {
	portalID, err := db.scopePortal(ctx, f.Scope)
	if err != nil {
		return err
	}
	return db.eachDatasetLinks(ctx, portalID, f, fn)
}

func (db *DB) eachDataset(ctx context.Context, portalID int64, f DatasetFilter, fn func(d *vigie.Dataset, state string) error) error {
	where, args := f.where(portalID)
	q := `SELECT ` + datasetCols + `, d.state, r.position IS NOT NULL, ` + resourceCols + `
		FROM datasets d LEFT JOIN resources r ON r.portal_id = d.portal_id AND r.dataset_id = d.id
		WHERE ` + where + ` ORDER BY d.name, d.id, r.position`
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	var cur *vigie.Dataset
	var curState string
	var ds datasetScan
	var rs resourceScan
	var hasRes bool
	var state string
	dest := append(ds.dest(), &state, &hasRes)
	dest = append(dest, rs.dest()...)
	for rows.Next() {
		ds = datasetScan{}
		if err := rows.Scan(dest...); err != nil {
			return db.explain(err)
		}
		if cur == nil || cur.ID != ds.d.ID {
			if cur != nil {
				if err := fn(cur, curState); err != nil {
					return err
				}
			}
			cur, curState = ds.finish(), state
		}
		if hasRes {
			cur.Resources = append(cur.Resources, rs.finish())
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	if cur != nil {
		return fn(cur, curState)
	}
	return nil
}

// GetDataset returns one dataset of the portal, whatever its state, looked up
// by id or name, with its resources and the raw JSON of its latest version.
// The error wraps ErrNotFound when no such dataset was ever harvested.
func (db *DB) GetDataset(ctx context.Context, portalID int64, nameOrID string) (*vigie.Dataset, error) {
	var found *vigie.Dataset
	// An exact id wins; among datasets sharing a name, the one vigie sees as
	// active (SameName lists them all).
	rank := func(d *vigie.Dataset, state string) int {
		switch {
		case d.ID == nameOrID:
			return 3
		case state == vigie.StateActive:
			return 2
		}
		return 1
	}
	best := 0
	f := DatasetFilter{IDs: []string{nameOrID}, States: []string{vigie.StateActive, vigie.StateMissing, vigie.StateDeleted}}
	err := db.eachDataset(ctx, portalID, f, func(d *vigie.Dataset, state string) error {
		if r := rank(d, state); r > best {
			found, best = d, r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, notFound(vigie.KindNotFound, "store.no_dataset", nameOrID)
	}
	var raw []byte
	err = db.sql.QueryRowContext(ctx, `SELECT raw FROM dataset_versions WHERE portal_id = ? AND dataset_id = ? ORDER BY id DESC LIMIT 1`,
		portalID, found.ID).Scan(&raw)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, db.explain(err)
	}
	if found.Raw, err = unpackRaw(raw); err != nil {
		return nil, vigie.NewError(vigie.KindDamagedData, "store.damaged_dataset", found.ID, err)
	}
	return found, nil
}

// NamedDataset is one of the datasets that carry a name.
type NamedDataset struct {
	ID, State string
}

// SameName lists the datasets of the portal named name (several when a
// dataset was deleted and its name reused), active ones first.
func (db *DB) SameName(ctx context.Context, portalID int64, name string) ([]NamedDataset, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, state FROM datasets WHERE portal_id = ? AND name = ?
		ORDER BY state = 'active' DESC, id`, portalID, name)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []NamedDataset
	for rows.Next() {
		var n NamedDataset
		if err := rows.Scan(&n.ID, &n.State); err != nil {
			return nil, db.explain(err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DatasetState is vigie's view of a dataset's presence on the portal.
type DatasetState struct {
	State        string // active, missing, deleted
	Misses       int    // consecutive complete full passes without it
	FirstSeenRun int64
	LastSeenRun  int64
}

// DatasetStateOf returns the presence state of one dataset (by id).
func (db *DB) DatasetStateOf(ctx context.Context, portalID int64, id string) (*DatasetState, error) {
	var s DatasetState
	var first, last sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT state, misses, first_seen_run, last_seen_run FROM datasets WHERE portal_id = ? AND id = ?`,
		portalID, id).Scan(&s.State, &s.Misses, &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("dataset %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, db.explain(err)
	}
	s.FirstSeenRun, s.LastSeenRun = first.Int64, last.Int64
	return &s, nil
}

// DatasetVersion is one recorded content of a dataset.
type DatasetVersion struct {
	RunID            int64
	ContentHash      string
	MetadataModified time.Time
}

// DatasetVersions lists a dataset's recorded versions, oldest first.
func (db *DB) DatasetVersions(ctx context.Context, portalID int64, id string) ([]DatasetVersion, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT run_id, content_hash, metadata_modified FROM dataset_versions
		WHERE portal_id = ? AND dataset_id = ? ORDER BY id`, portalID, id)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []DatasetVersion
	for rows.Next() {
		var v DatasetVersion
		var mod sql.NullString
		if err := rows.Scan(&v.RunID, &v.ContentHash, &mod); err != nil {
			return nil, db.explain(err)
		}
		v.MetadataModified = parseTS(mod)
		out = append(out, v)
	}
	return out, rows.Err()
}

// datasetScan holds one dataset row while it is scanned.
type datasetScan struct {
	d                    vigie.Dataset
	isopen               sql.NullBool
	created, modified    sql.NullString
	tags, groups, extras string
}

// dest returns scan targets matching datasetCols.
func (s *datasetScan) dest() []any {
	d := &s.d
	return []any{&d.ID, &d.Name, &d.Title, &d.TitleEN, &d.Notes, &d.Organization, &d.OrganizationTitle, &d.LicenseID,
		&d.LicenseTitle, &d.LicenseURL, &s.isopen, &d.Private, &d.CKANState, &d.Type, &d.Author, &d.AuthorEmail, &d.Maintainer,
		&d.MaintainerEmail, &d.URL, &d.Version, &s.created, &s.modified, &s.tags, &s.groups, &s.extras}
}

func (s *datasetScan) finish() *vigie.Dataset {
	d := s.d
	if s.isopen.Valid {
		b := s.isopen.Bool
		d.IsOpen = &b
	}
	d.MetadataCreated = parseTS(s.created)
	d.MetadataModified = parseTS(s.modified)
	d.Tags = decodeStrings(s.tags)
	d.Groups = decodeStrings(s.groups)
	if s.extras != "{}" && s.extras != "" {
		d.Extras = decodeStringMap(s.extras)
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	if d.Groups == nil {
		d.Groups = []string{}
	}
	d.Resources = []vigie.Resource{}
	return &d
}

// resourceScan holds one resource row (possibly all NULL from the outer join).
type resourceScan struct {
	id, name, desc, format, mime, url, rtype, utype, extras sql.NullString
	position, size                                          sql.NullInt64
	created, modified                                       sql.NullString
}

func (s *resourceScan) dest() []any {
	return []any{&s.id, &s.position, &s.name, &s.desc, &s.format, &s.mime, &s.url, &s.rtype, &s.utype,
		&s.size, &s.created, &s.modified, &s.extras}
}

func (s *resourceScan) finish() vigie.Resource {
	r := vigie.Resource{ID: s.id.String, Position: int(s.position.Int64), Name: s.name.String, Description: s.desc.String,
		Format: s.format.String, Mimetype: s.mime.String, URL: s.url.String, ResourceType: s.rtype.String, URLType: s.utype.String,
		Created: parseTSPtr(s.created), LastModified: parseTSPtr(s.modified)}
	if s.size.Valid {
		n := s.size.Int64
		r.Size = &n
	}
	if s.extras.Valid && s.extras.String != "{}" && s.extras.String != "" {
		r.Extras = decodeStringMap(s.extras.String)
	}
	return r
}
