package harvester

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// ImportOptions control an offline import.
type ImportOptions struct {
	// Complete says the file holds the whole catalogue (a full ckanapi dump):
	// datasets it lacks are then marked missing, then deleted, as after a
	// complete full pass. Without it the import only adds and updates.
	Complete bool
	// MaxMissing is the share (0–1) of the active datasets a complete
	// import may mark missing; above it the import fails and marks nothing
	// (a file cut short, or the dump of one organization, is not the whole
	// catalogue). 0 means DefaultMaxMissing, negative refuses any.
	MaxMissing float64
	Progress   func(phase string, fetched, count int)
	// Stdin is read when the path is "-" (ckanapi dump … | vigie harvest --from -).
	Stdin io.Reader
}

// importPage is how many datasets go into one transaction.
const importPage = 1000

// Import stores the datasets and organizations of a saved file: a ckanapi
// dump (JSON lines, one package per line), a bare JSON list of packages, a
// package_show, package_search, organization_show or organization_list
// response, or one package dict. JSON lines and lists are streamed. The file
// may be gzip-compressed (ckanapi dump … -z; told by its magic bytes, not its
// name), and "-" reads o.Stdin.
func Import(ctx context.Context, db *store.DB, portal *store.Portal, path string, o ImportOptions) (*Result, error) {
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	start := time.Now()
	in, closeIn, err := openImport(path, o.Stdin)
	if err != nil {
		return nil, err
	}
	defer closeIn()
	scope := store.HarvestOptions{Mode: store.ModeImport, IncludePrivate: true}
	res := &Result{Mode: store.ModeImport, Reason: "--from " + path}
	if res.RunID, err = db.BeginHarvestRun(ctx, portal.ID, scope); err != nil {
		return nil, err
	}
	err = importStream(ctx, db, portal.ID, res, in, o)
	if err == nil && res.Fetched == 0 && res.Organizations == 0 && res.Licences == 0 {
		err = fmt.Errorf("%s holds no CKAN package, organization or licence dicts", path)
	}
	if err == nil && o.Complete {
		err = importGuard(ctx, db, portal.ID, res.RunID, scope, o.MaxMissing)
	}
	if err == nil && o.Complete {
		res.ListingComplete = true
		res.Missing, res.Deleted, err = db.MarkMissing(ctx, portal.ID, res.RunID, scope)
	}
	res.Elapsed = time.Since(start)
	r := store.HarvestResult{Status: store.RunComplete, ListingComplete: res.ListingComplete, Expected: res.Fetched,
		Fetched: res.Fetched, Counts: res.Counts, Missing: res.Missing, Deleted: res.Deleted, Organizations: res.Organizations}
	if err != nil {
		err = fmt.Errorf("--from %s: %w", path, err)
		r.Status, r.ListingComplete, r.Error = store.RunFailed, false, err.Error()
		if errors.Is(err, context.Canceled) {
			r.Status = store.RunInterrupted
		}
	}
	if ferr := db.FinishHarvestRun(ctx, res.RunID, r); ferr != nil && err == nil {
		err = ferr
	}
	return res, err
}

// importGuard refuses a complete import that would mark more than max of
// the active datasets missing: offline, nothing can check them.
func importGuard(ctx context.Context, db *store.DB, portalID, runID int64, scope store.HarvestOptions, max float64) error {
	if max == 0 {
		max = DefaultMaxMissing
	}
	active, err := db.CountDatasets(ctx, portalID, scope, vigie.StateActive)
	if err != nil {
		return err
	}
	unseen, _, err := db.UnseenActive(ctx, portalID, runID, scope, 0)
	if err != nil || unseen == 0 || active == 0 {
		return err
	}
	if share := float64(unseen) / float64(active); max < 0 || share > max {
		return fmt.Errorf("%w: the file lacks %d of %d active datasets (%s, above --max-missing %s); nothing was marked missing: if the file really is the whole catalogue, pass --max-missing 100%%",
			ErrMassMissing, unseen, active, percent(share), percent(max0(max)))
	}
	return nil
}

func max0(f float64) float64 { return max(f, 0) }

// importer batches decoded datasets into pages.
type importer struct {
	ctx  context.Context
	db   *store.DB
	pid  int64
	res  *Result
	o    ImportOptions
	page []vigie.Dataset
	seen map[string]struct{}
	lics []vigie.Licence // license_list entries met in the file
}

func (im *importer) add(raw json.RawMessage) error {
	d, err := DecodePackage(raw)
	if err != nil {
		return err
	}
	if _, dup := im.seen[d.ID]; dup {
		return nil
	}
	im.seen[d.ID] = struct{}{}
	im.page = append(im.page, d)
	if len(im.page) >= importPage {
		return im.flush()
	}
	return nil
}

func (im *importer) flush() error {
	if len(im.page) == 0 {
		return nil
	}
	c, err := im.db.SaveDatasets(im.ctx, im.pid, im.res.RunID, im.page)
	if err != nil {
		return err
	}
	im.res.Counts.Add(c)
	im.res.Fetched += len(im.page)
	im.page = im.page[:0]
	im.o.Progress("import", im.res.Fetched, 0)
	return nil
}

func importStream(ctx context.Context, db *store.DB, pid int64, res *Result, r *bufio.Reader, o ImportOptions) error {
	im := &importer{ctx: ctx, db: db, pid: pid, res: res, o: o, seen: map[string]struct{}{}}
	dec := json.NewDecoder(r)
	first, err := peekNonSpace(r)
	if err != nil {
		return errors.New("the file is empty")
	}
	if first == '[' { // a bare list, streamed
		if _, err := dec.Token(); err != nil {
			return err
		}
		n := 0
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("list item %d: %w", n+1, err)
			}
			n++
			if err := im.value(raw); err != nil {
				return fmt.Errorf("list item %d: %w", n, err)
			}
		}
		return im.finish()
	}
	for line := 1; ; line++ { // one value, or JSON lines
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("value %d is not valid JSON: %w", line, err)
		}
		if err := im.value(raw); err != nil {
			return fmt.Errorf("value %d: %w", line, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return im.finish()
}

// finish stores the last page and the licence register the file held.
func (im *importer) finish() error {
	if err := im.flush(); err != nil {
		return err
	}
	if len(im.lics) == 0 {
		return nil
	}
	im.res.Licences = len(im.lics)
	return im.db.SavePortalLicences(im.ctx, im.pid, im.lics)
}

// value imports one top-level JSON value of any accepted shape.
func (im *importer) value(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '[':
		var l []json.RawMessage
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		for _, v := range l {
			if err := im.value(v); err != nil {
				return err
			}
		}
		return nil
	case '"':
		return errors.New("holds dataset names only (package_list): import package_show or package_search responses, or a ckanapi dump")
	case '{':
	default:
		return errors.New("not a CKAN package dict")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if _, ok := m["success"]; ok { // an action API envelope
		var ok bool
		_ = json.Unmarshal(m["success"], &ok)
		if !ok {
			return errors.New("a saved API error (success: false)")
		}
		return im.result(m["result"])
	}
	if isOrganization(m) {
		return im.organization(raw)
	}
	if isLicence(m) {
		return im.licence(raw)
	}
	return im.add(raw)
}

// licence keeps one entry of a saved license_list; the register is stored
// when the file is read.
func (im *importer) licence(raw json.RawMessage) error {
	ls, err := DecodeLicenceList(append(append([]byte{'['}, raw...), ']'))
	if err != nil {
		return err
	}
	if len(im.lics) < maxLicences {
		im.lics = append(im.lics, ls...)
	}
	return nil
}

// result imports an envelope's result: a package, a search result, a list,
// or an organization.
func (im *importer) result(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return im.value(raw)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if res, ok := m["results"]; ok { // package_search
		return im.value(res)
	}
	if isOrganization(m) {
		return im.organization(raw)
	}
	if isLicence(m) {
		return im.licence(raw)
	}
	return im.add(raw)
}

func isOrganization(m map[string]json.RawMessage) bool {
	var b bool
	if json.Unmarshal(m["is_organization"], &b) == nil && b {
		_, pkg := m["resources"]
		return !pkg
	}
	var t string
	return json.Unmarshal(m["type"], &t) == nil && t == "organization"
}

func (im *importer) organization(raw json.RawMessage) error {
	org, err := DecodeOrganization(raw)
	if err != nil {
		return err
	}
	if err := im.db.SaveOrganizations(im.ctx, im.pid, im.res.RunID, []vigie.Organization{org}); err != nil {
		return err
	}
	im.res.Organizations++
	return nil
}

// peekNonSpace skips a byte order mark and returns the first significant
// byte without consuming it.
func peekNonSpace(r *bufio.Reader) (byte, error) {
	if b, err := r.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		r.Discard(3)
	}
	for i := 1; ; i++ {
		b, err := r.Peek(i)
		if err != nil {
			return 0, err
		}
		c := b[i-1]
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return c, nil
		}
	}
}

// openImport opens --from: a file or "-" (stdin), gunzipped when it starts
// with gzip's magic bytes.
func openImport(path string, stdin io.Reader) (*bufio.Reader, func(), error) {
	var src io.Reader
	closeIn := func() {}
	if path == "-" {
		if stdin == nil {
			return nil, nil, errors.New("--from -: no standard input to read")
		}
		src = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("--from %s: %w", path, errors.Unwrap(err))
		}
		src, closeIn = f, func() { f.Close() }
	}
	br := bufio.NewReaderSize(src, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeIn()
			return nil, nil, fmt.Errorf("--from %s: not a readable gzip file: %v", path, err)
		}
		inner := closeIn
		closeIn = func() { zr.Close(); inner() }
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	return br, closeIn, nil
}
