package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// schemaOf compiles docs/NAME.schema.json, checking formats too.
func schemaOf(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(filepath.Join("..", "..", "docs", name+".schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestJSONOutputsMatchTheirSchemas validates what the commands print and
// what an audit folder holds against the schemas in docs/, on two audits of
// a generated portal (the second with a link broken since the first), a
// worker queue with a failed and a running claim, and a prune that removes
// the first audit's runs, and checks that each schema refuses an unknown
// field: the test can fail.
func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	ctx := context.Background()
	p, srv, links, pkgs := auditPortal(t, 12)
	rs := withResources(pkgs)
	setFirstURL(rs[0], links.srv.URL+"/files/flip/a.csv")
	p.Put(rs[0])
	dir := t.TempDir()
	db, out := storetest.NewDSN(t), filepath.Join(dir, "audits")
	outputs := map[string][]byte{}
	if code, _, stderr := cli(ctx, auditArgs(db, srv.URL, out)...); code != ExitOK {
		t.Fatalf("first audit: exit %d: %s", code, stderr)
	}
	first, err := os.ReadFile(filepath.Join(out, "latest", "diff.json"))
	if err != nil {
		t.Fatal(err)
	}
	outputs["diff (first audit)"] = first
	links.set("/files/flip/a.csv", true)
	// A gate that fails on the broken link: run.json records its reasons.
	if code, _, stderr := cli(ctx, auditArgs(db, srv.URL, out, "--fail-under", "1", "--fail-on", "score-drop,new-broken-links")...); code != ExitGate {
		t.Fatalf("second audit: exit %d, want the gate's %d: %s", code, ExitGate, stderr)
	}
	for _, f := range []string{"run", "diff"} {
		b, err := os.ReadFile(filepath.Join(out, "latest", f+".json"))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f+" (audit folder)"] = b
	}
	queueForSchemas(t, db, srv.URL)
	commands := map[string][]string{
		"diff":     {"diff", "--format", "json"},
		"explain":  {"explain", rs[0]["name"].(string), "--format", "json"},
		"links":    {"links", "--list", "--format", "json"},
		"datasets": {"datasets", "--format", "json"},
		"portals":  {"portals", "--format", "json"},
		"orgs":     {"orgs", "--format", "json"},
		"runs":     {"runs", "--format", "json"},
		"queue":    {"worker", "--list", "--format", "json"},
		"export":   {"export", filepath.Join(dir, "export"), "--json"},
	}
	for name, args := range commands {
		for _, lang := range []string{"fr", "en"} {
			code, stdout, stderr := cli(ctx, append([]string{"--db", db, "--portal", srv.URL, "--lang", lang}, args...)...)
			if code != ExitOK {
				t.Fatalf("%s: exit %d: %s", name, code, stderr)
			}
			outputs[name+" --lang "+lang] = []byte(stdout)
		}
	}
	// prune last, as it removes the first audit's runs: once for the
	// portal, once for every portal.
	for _, lang := range []string{"fr", "en"} {
		var scope []string
		if lang == "fr" {
			scope = []string{"--portal", srv.URL}
		}
		code, stdout, stderr := cli(ctx, append(append([]string{"--db", db, "--lang", lang}, scope...), "prune", "--keep", "1", "--format", "json")...)
		if code != ExitOK {
			t.Fatalf("prune: exit %d: %s", code, stderr)
		}
		outputs["prune --lang "+lang] = []byte(stdout)
	}
	for what, b := range outputs {
		name, _, _ := bytes.Cut([]byte(what), []byte(" "))
		sch := schemaOf(t, string(name))
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s does not match docs/%s.schema.json: %v", what, name, err)
		}
		if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
			continue
		}
		// An unknown field in the (first) object is refused.
		i := bytes.IndexByte(b, '{')
		if i < 0 {
			t.Fatalf("%s holds no object: %s", what, b)
		}
		bad := append(append(append([]byte{}, b[:i+1]...), `"not_a_field": 1, `...), b[i+1:]...)
		v, err = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
		if err != nil {
			t.Fatalf("%s with an extra field: %v", what, err)
		}
		if sch.Validate(v) == nil {
			t.Errorf("docs/%s.schema.json accepts an unknown field", name)
		}
	}
	if len(outputs) != 23 {
		t.Errorf("%d outputs checked", len(outputs))
	}
}

// queueForSchemas fills the worker queue of the database at dsn as workers
// leave it: the audited portal added with 'vigie worker --add', never
// audited, and two others due before it: one whose audit failed (last
// status, time and error), one a worker is auditing now (lease owner and
// end).
func queueForSchemas(t *testing.T, dsn, portal string) {
	t.Helper()
	ctx := context.Background()
	if code, _, stderr := cli(ctx, "--db", dsn, "worker", "--add", portal); code != ExitOK {
		t.Fatalf("worker --add: exit %d: %s", code, stderr)
	}
	db := storetest.Open(t, dsn)
	defer db.Close()
	now := time.Now().UTC()
	failed, busy := "https://failed.example/ckan", "https://busy.example"
	for i, u := range []string{failed, busy} {
		if _, err := db.EnqueuePortal(ctx, u, slugURL(u), store.SourceQueue, now.Add(time.Duration(i-2)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{failed, busy} {
		c, err := db.ClaimDue(ctx, "schemas:1:abcdef", now, now, time.Time{}, time.Hour)
		if err != nil || c == nil || c.URL != u {
			t.Fatalf("claim %s: %+v %v", u, c, err)
		}
		if u == failed {
			if err := db.EndClaim(ctx, c, now, store.ClaimFailed, "audit stopped at harvest: cannot reach the CKAN API", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
}
