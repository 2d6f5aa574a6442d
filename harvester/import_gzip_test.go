package harvester

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A ckanapi dump written with -z is gzip: told by its magic bytes, whatever
// its name; "-" reads the standard input given in the options.
func TestImportGzipAndStdin(t *testing.T) {
	ctx := context.Background()
	real, err := os.ReadFile("../testdata/real/data.birmingham.gov.uk/package_search_2021-09.json")
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	for _, id := range []string{"a1", "a2", "a3"} {
		plain.WriteString(`{"id":"` + id + `","name":"n-` + id + `","title":"Titre ` + id + `","resources":[]}` + "\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "dump.jsonl") // no .gz: the content decides
	os.WriteFile(path, gz.Bytes(), 0o644)

	db, p := openStore(t)
	res, err := Import(ctx, db, p, path, ImportOptions{})
	if err != nil || res.Fetched != 3 || res.Counts.New != 3 {
		t.Fatalf("gzip file: %+v %v", res, err)
	}

	// A real package_search answer, gzipped, on standard input.
	var rz bytes.Buffer
	zw = gzip.NewWriter(&rz)
	zw.Write(real)
	zw.Close()
	db2, p2 := openStore(t)
	res, err = Import(ctx, db2, p2, "-", ImportOptions{Stdin: &rz})
	if err != nil || res.Fetched == 0 {
		t.Fatalf("gzip stdin: %+v %v", res, err)
	}
	// Plain JSON lines on standard input.
	db3, p3 := openStore(t)
	res, err = Import(ctx, db3, p3, "-", ImportOptions{Stdin: bytes.NewReader(plain.Bytes())})
	if err != nil || res.Fetched != 3 || !strings.Contains(res.Reason, "--from -") {
		t.Fatalf("stdin: %+v %v", res, err)
	}
	if _, err := Import(ctx, db3, p3, "-", ImportOptions{}); err == nil {
		t.Error("--from - without a standard input was accepted")
	}
	// A gzip stream cut short is an error naming the file, not a partial success.
	cut := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(cut, gz.Bytes()[:len(gz.Bytes())/2], 0o644)
	if _, err := Import(ctx, db3, p3, cut, ImportOptions{}); err == nil || !strings.Contains(err.Error(), "cut.jsonl.gz") {
		t.Errorf("truncated gzip: %v", err)
	}
}
