package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"path/filepath"
	"strings"
	"testing"
)

// Under the default French, the orgs, portals and runs tables title their
// columns in French and the audit logs its stages in French prose (the log
// keys stay English); --lang en says the same in English.
func TestTablesAndAuditLogSpeakTheLanguage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	const portal = "https://data.humdata.org"
	if code, _, errb := cli(ctx, "--db", db, "-q", "harvest", "--portal", portal, "--from", "../../testdata/observed/data.humdata.org/package_search_observed.json"); code != 0 {
		t.Fatalf("harvest: exit %d %s", code, errb)
	}
	if code, _, errb := cli(ctx, "--db", db, "-q", "score", "--portal", portal); code != 0 {
		t.Fatalf("score: exit %d %s", code, errb)
	}
	for _, c := range []struct {
		lang, cmd string
		want      []string
		not       string
	}{
		{"", "orgs", []string{"portail", "rang", "nom", "titre", "complétude", "erreurs", "liens brisés"}, "broken links"},
		{"en", "orgs", []string{"portal", "rank", "name", "title", "completeness", "errors", "broken links"}, "liens brisés"},
		{"", "portals", []string{"nom", "publiés", "dernier moissonnage", "état de l'audit", "seuil", "terminée"}, "complete"},
		{"en", "portals", []string{"name", "published", "last harvest", "audit status", "gate"}, "dernier moissonnage"},
		{"", "runs", []string{"passe", "début (UTC)", "durée", "liste complète", "requêtes", "importation", "terminée"}, "started (UTC)"},
		{"en", "runs", []string{"run", "started (UTC)", "took", "complete listing", "requests", "import", "complete"}, "début (UTC)"},
	} {
		args := []string{"--db", db, "--portal", portal, c.cmd}
		if c.lang != "" {
			args = append([]string{"--lang", c.lang}, args...)
		}
		code, out, errb := cli(ctx, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errb)
		}
		header, _, _ := strings.Cut(out, "\n")
		if c.cmd == "runs" || c.cmd == "portals" {
			header = out // the mode and status cells are words too
		}
		for _, w := range c.want {
			if !strings.Contains(header, w) {
				t.Errorf("%v: no %q in\n%s", args, w, header)
			}
		}
		if strings.Contains(out, c.not) {
			t.Errorf("%v: %q in the other language:\n%s", args, c.not, out)
		}
	}

	_, srv, _, _ := auditPortal(t, 6)
	for _, c := range []struct{ lang, want, not, gate string }{
		{"fr", "msg=\"étape d'audit terminée\" event=audit.stage.done stage=harvest", "audit stage done", "aucun"},
		{"en", "msg=\"audit stage done\" event=audit.stage.done stage=harvest", "étape d'audit", "none"},
	} {
		adb := filepath.Join(dir, c.lang+".db")
		args := auditArgs(adb, srv.URL, filepath.Join(dir, "out-"+c.lang))
		for i, a := range args {
			if a == "--quiet" {
				args = append(args[:i:i], args[i+1:]...)
				break
			}
		}
		for i, a := range args {
			if a == "--lang" {
				args[i+1] = c.lang
			}
		}
		code, _, errb := cli(ctx, args...)
		if code != 0 || !strings.Contains(errb, c.want) || strings.Contains(errb, c.not) {
			t.Errorf("audit --lang %s: exit %d, want %q in\n%s", c.lang, code, c.want, errb)
		}
		// An audit without a gate: the portals table says so in words.
		_, out, _ := cli(ctx, "--db", adb, "--lang", c.lang, "portals")
		if rows := strings.Split(strings.TrimSpace(out), "\n"); len(rows) != 2 || !strings.HasSuffix(rows[1], " "+c.gate) {
			t.Errorf("portals --lang %s: want the gate %q:\n%s", c.lang, c.gate, out)
		}
	}
}
