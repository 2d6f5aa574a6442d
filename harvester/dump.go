package harvester

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// Dump is a saved catalogue file opened for reading: a ckanapi dump (JSON
// lines, one package per line), a bare JSON list of packages, a
// package_show, package_search, organization_show, organization_list or
// license_list response, or one package dict. JSON lines and lists are
// streamed. The file may be gzip-compressed (ckanapi dump … -z; told by its
// magic bytes, not its name), and "-" reads standard input.
type Dump struct {
	r     *bufio.Reader
	close func()
}

// OpenDump opens path ("-" reads stdin).
func OpenDump(path string, stdin io.Reader) (*Dump, error) {
	r, closeIn, err := openImport(path, stdin)
	if err != nil {
		return nil, err
	}
	return &Dump{r: r, close: closeIn}, nil
}

// Close closes the file.
func (d *Dump) Close() { d.close() }

// importPage is how many datasets are handed on at a time.
const importPage = 1000

// Read decodes the file and hands on its datasets in batches (each one
// once), its organizations one at a time, and at the end the licence
// register the file held, if any.
func (d *Dump) Read(ctx context.Context, datasets func([]vigie.Dataset) error, organization func(vigie.Organization) error, licences func([]vigie.Licence) error) error {
	im := &importer{datasets: datasets, organization: organization, licences: licences, seen: map[string]struct{}{}}
	return importStream(ctx, im, d.r)
}

// importer batches decoded datasets into pages.
type importer struct {
	datasets     func([]vigie.Dataset) error
	organization func(vigie.Organization) error
	licences     func([]vigie.Licence) error
	page         []vigie.Dataset
	seen         map[string]struct{}
	lics         []vigie.Licence // license_list entries met in the file
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
	if err := im.datasets(im.page); err != nil {
		return err
	}
	im.page = im.page[:0]
	return nil
}

func importStream(ctx context.Context, im *importer, r *bufio.Reader) error {
	dec := json.NewDecoder(r)
	first, err := peekNonSpace(r)
	if errors.Is(err, io.EOF) {
		return vigie.NewError(vigie.KindUsage, "harvester.empty")
	}
	if err != nil {
		return vigie.NewError(vigie.KindUsage, "harvester.unreadable", pathCause(err))
	}
	if first == '[' { // a bare list, streamed
		if _, err := dec.Token(); err != nil {
			return err
		}
		n := 0
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return vigie.NewError(vigie.KindOther, "harvester.item", strconv.Itoa(n+1), l10n.JSONError(err))
			}
			n++
			if err := im.value(raw); err != nil {
				return vigie.NewError(vigie.KindOther, "harvester.item", strconv.Itoa(n), err)
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
			return vigie.NewError(vigie.KindOther, "harvester.bad_json", strconv.Itoa(line), l10n.JSONError(err))
		}
		if err := im.value(raw); err != nil {
			return vigie.NewError(vigie.KindOther, "harvester.value", strconv.Itoa(line), err)
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
	return im.licences(im.lics)
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
		return vigie.NewError(vigie.KindUsage, "harvester.names_only")
	case '{':
	default:
		return vigie.NewError(vigie.KindUsage, "harvester.not_package")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if _, ok := m["success"]; ok { // an action API envelope
		var ok bool
		_ = json.Unmarshal(m["success"], &ok)
		if !ok {
			return vigie.NewError(vigie.KindUsage, "harvester.saved_error")
		}
		return im.result(m["result"])
	}
	if isOrganization(m) {
		return im.org(raw)
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
		return im.org(raw)
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

func (im *importer) org(raw json.RawMessage) error {
	org, err := DecodeOrganization(raw)
	if err != nil {
		return err
	}
	return im.organization(org)
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
			return nil, nil, vigie.NewError(vigie.KindUsage, "harvester.stdin")
		}
		src = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, &vigie.Error{Kind: vigie.KindOther, ID: "harvester.open", Args: []any{path, errors.Unwrap(err)}, Path: path, Err: err}
		}
		src, closeIn = f, func() { f.Close() }
	}
	br := bufio.NewReaderSize(src, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closeIn()
			return nil, nil, &vigie.Error{Kind: vigie.KindOther, ID: "harvester.gzip", Args: []any{path, err.Error()}, Path: path}
		}
		inner := closeIn
		closeIn = func() { zr.Close(); inner() }
		br = bufio.NewReaderSize(zr, 1<<20)
	}
	return br, closeIn, nil
}
