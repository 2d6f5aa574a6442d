package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// Every log line of a whole audit (harvest, links, score, reports) carries a
// stable English "event" and English keys, with its message in the
// reader's language: under cron (text, no terminal) and in JSON.
func TestLogsCarryAStableEvent(t *testing.T) {
	_, srv, _, _ := auditPortal(t, 12)
	key := regexp.MustCompile(`^[a-z_]+$`)
	for _, lang := range []string{"fr", "en"} {
		dir := t.TempDir()
		db := filepath.Join(dir, "vigie.db")
		args := []string{"--db", db, "--portal", srv.URL, "--lang", lang, "--log-format", "json", "audit", "--out", filepath.Join(dir, "out"),
			"--allow-private", "--rate", "0", "--failures", "1", "--broken-after", "0s", "--older-than", "0s"}
		code, _, errs := cli(context.Background(), args...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", lang, code, errs)
		}
		events := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(errs), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%s: not a JSON line: %q", lang, line)
			}
			ev, _ := m["event"].(string)
			msg, _ := m["msg"].(string)
			if ev == "" || ev == "other" || msg == "" {
				t.Errorf("%s: a line without a known event: %s", lang, line)
			}
			for k := range m {
				if !key.MatchString(k) {
					t.Errorf("%s: key %q is not a stable English key: %s", lang, k, line)
				}
			}
			events[ev] = msg
		}
		want := map[string]map[string]string{
			"fr": {"harvest.start": "moissonnage", "audit.stage.done": "étape d'audit terminée", "links.start": "vérification des liens"},
			"en": {"harvest.start": "harvest", "audit.stage.done": "audit stage done", "links.start": "checking links"},
		}[lang]
		for ev, msg := range want {
			if events[ev] != msg {
				t.Errorf("%s: event %s says %q, want %q (events: %v)", lang, ev, events[ev], msg, events)
			}
		}
	}

	// Under cron: text lines, no progress bar, the same events.
	dir := t.TempDir()
	code, _, errs := cli(context.Background(), "--db", filepath.Join(dir, "v.db"), "--portal", srv.URL, "harvest", "--rate", "0")
	if code != ExitOK || !strings.Contains(errs, "msg=moissonnage event=harvest.start ") ||
		!strings.Contains(errs, "msg=moissonnage event=progress.harvest done=") || strings.Contains(errs, "\r") {
		t.Errorf("cron harvest: exit %d:\n%s", code, errs)
	}
}

// French numbers group thousands with a narrow no-break space: a text log
// line (cron mail) shows it as a space, not as "\u202f"; a JSON line keeps
// the character itself.
func TestTextLogsShowFrenchNumbersPlainly(t *testing.T) {
	summary := l10n.T("fr", "score.tau", l10n.Float(0.29, 2, "fr"), l10n.Int(1284, "fr"))
	if !strings.Contains(summary, "\u202f") {
		t.Fatalf("the French number has no narrow no-break space to test: %q", summary)
	}
	var text, js bytes.Buffer
	newLogger(&text, "text", "fr", slog.LevelInfo).Info("audit stage done", "event", "audit.stage.done", "summary", summary)
	newLogger(&js, "json", "fr", slog.LevelInfo).Info("audit stage done", "event", "audit.stage.done", "summary", summary)
	if strings.Contains(text.String(), `\u202f`) || !strings.Contains(text.String(), "1 284") {
		t.Errorf("text log line: %s", text.String())
	}
	var rec map[string]any
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil || rec["summary"] != summary {
		t.Errorf("JSON log line: %s (%v)", js.String(), err)
	}
}
