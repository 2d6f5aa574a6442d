package reports

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestDumpSample(t *testing.T) {
	dir := os.Getenv("VIGIE_DUMP")
	if dir == "" {
		t.Skip()
	}
	r := sampleReport("fr")
	for _, f := range []string{"xlsx", "html", "json", "md"} {
		w, _ := ForFormat(f, CSV{})
		out, _ := os.Create(filepath.Join(dir, "sample."+f))
		if err := w.Write(context.Background(), out, r); err != nil {
			t.Fatal(f, err)
		}
		out.Close()
	}
	if err := (&CSV{BOM: true, Sep: ';'}).WriteDir(context.Background(), filepath.Join(dir, "csv"), r); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "seed.db"))
	seedStoreAt(t, filepath.Join(dir, "seed.db"), 200, 2, true).Close()
}
