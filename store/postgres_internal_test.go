package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE x = ? AND y IN (?, ?)`, `SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)`},
		{`SELECT '?', "a?b", ? -- why?` + "\n" + `, ?`, `SELECT '?', "a?b", $1 -- why?` + "\n" + `, $2`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT /* ? */ ?`, `SELECT /* ? */ $1`},
		{`SELECT $$ ? $$, $tag$ ? $tag$, ?`, `SELECT $$ ? $$, $tag$ ? $tag$, $1`},
		{`SELECT $1, ?`, `SELECT $1, $1`}, // a $n is not a dollar quote
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzRebind checks that rebind only ever replaces placeholders: the text
// with every $n put back to ? is the input, and the numbers run 1, 2, 3…
func FuzzRebind(f *testing.F) {
	for _, s := range []string{`SELECT ? FROM t WHERE a = '?' AND b = ?`, `-- ?` + "\n?", `/* ? */ ? "?" $x$?$x$ ?`, `$$`, `'`, `?$1?`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if strings.Contains(q, "$") {
			// Dollar signs in the input make "$n" ambiguous to undo; check
			// only that no ? outside quotes is left and nothing panics.
			_ = rebind(q)
			return
		}
		out := rebind(q)
		n := 0
		var back strings.Builder
		for i := 0; i < len(out); i++ {
			if out[i] != '$' {
				back.WriteByte(out[i])
				continue
			}
			n++
			num := strconv.Itoa(n)
			if !strings.HasPrefix(out[i+1:], num) {
				t.Fatalf("rebind(%q) = %q: placeholder $%d expected at byte %d", q, out, n, i)
			}
			back.WriteByte('?')
			i += len(num)
		}
		if back.String() != q {
			t.Fatalf("rebind(%q) = %q changed more than the placeholders", q, out)
		}
	})
}

func TestRedactDSN(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"vigie.db", "vigie.db"},
		{"/var/lib/vigie/v.db", "/var/lib/vigie/v.db"},
		{"postgres://vigie:s3cret@db.example:5432/vigie?sslmode=require", "postgres://vigie@db.example:5432/vigie?sslmode=require"},
		{"postgresql://vigie@db/vigie?password=s3cret&application_name=x", "postgresql://vigie@db/vigie?application_name=x"},
		{"postgres://db/vigie?sslpassword=s3cret", "postgres://db/vigie"},
		{"postgres://u:s3cret@[bad", "postgres://[bad"},
		{"POSTGRES://u:s3cret@h/d", "postgres://u@h/d"},
	} {
		got := RedactDSN(c.in)
		if got != c.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("RedactDSN(%q) shows the password: %q", c.in, got)
		}
	}
}

// An interruption stays one through the store's explanations, on both
// engines: the command line exits 130 for it, not 1. (A SIGTERM that
// cancelled a PostgreSQL query used to become "database …: context
// canceled" of no kind, exit 1.) Other driver errors keep their cause.
func TestExplainKeepsInterruptions(t *testing.T) {
	for _, dialect := range []dialect{sqlite, postgres} {
		db := &DB{dialect: dialect, path: "postgres://u@h/db"}
		for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
			err := db.explain(fmt.Errorf("pgconn: %w", cause))
			if !errors.Is(err, cause) {
				t.Errorf("%v: %v does not wrap %v", dialect, err, cause)
			}
		}
	}
	other := errors.New("unexpected EOF from the server")
	if err := (&DB{dialect: postgres, path: "postgres://u@h/db"}).explain(other); !errors.Is(err, other) || vigie.KindOf(err) != vigie.KindOther {
		t.Errorf("a driver error lost its cause: %v", err)
	}
}
