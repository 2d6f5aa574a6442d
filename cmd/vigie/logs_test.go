package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
