// Command harvestsum prints a SHA-256 over every column of every table a
// harvest writes (datasets, resources, dataset_versions with their raw JSON
// decompressed, dataset_events, organizations), row by row in key order,
// and each table's row count: two harvests of the same catalogue by two
// vigie binaries must print the same lines. The run's own record
// (harvest_runs, with its times) is left out. It reads the file with its
// own SQL, as the sqlite3 shell would, not through store/: a checksum that
// compares two versions of vigie must not depend on either's code.
//
//	go run ./bench/harvestsum vigie.db
package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"

	"github.com/klauspost/compress/zstd"
	_ "modernc.org/sqlite"
)

var tables = []struct{ name, order string }{
	{"datasets", "portal_id, id"},
	{"resources", "portal_id, dataset_id, position"},
	{"dataset_versions", "id"},
	{"dataset_events", "run_id, dataset_id, kind"},
	{"organizations", "portal_id, id"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: harvestsum DATABASE")
		os.Exit(2)
	}
	db, err := sql.Open("sqlite", "file:"+os.Args[1]+"?mode=ro")
	if err != nil {
		fail(err)
	}
	defer db.Close()
	dec, err := zstd.NewReader(nil)
	if err != nil {
		fail(err)
	}
	zmagic := []byte{0x28, 0xb5, 0x2f, 0xfd}
	for _, t := range tables {
		rows, err := db.Query(`SELECT * FROM ` + t.name + ` ORDER BY ` + t.order)
		if err != nil {
			fail(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		h := sha256.New()
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				fail(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok && cols[i] == "raw" && bytes.HasPrefix(b, zmagic) {
					if v, err = dec.DecodeAll(b, nil); err != nil {
						fail(err)
					}
				}
				fmt.Fprintf(h, "%T:%q\x00", v, fmt.Sprint(v))
			}
			h.Write([]byte{'\n'})
			n++
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
		rows.Close()
		fmt.Printf("%-17s %8d rows  %x\n", t.name, n, h.Sum(nil))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "harvestsum:", err)
	os.Exit(1)
}
