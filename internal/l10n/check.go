package l10n

import (
	"regexp"
	"sort"
)

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)

// CheckCatalog fails t for a message without both languages or whose
// languages take different format verbs. Packages that add messages call it
// from their tests after their init has run.
func CheckCatalog(t interface {
	Helper()
	Errorf(string, ...any)
}) {
	t.Helper()
	for _, id := range IDs() {
		m, _ := Lookup(id)
		if m.FR == "" || m.EN == "" {
			t.Errorf("message %q lacks a translation: fr %q, en %q", id, m.FR, m.EN)
			continue
		}
		a, b := verbs(m.FR), verbs(m.EN)
		sort.Strings(a)
		sort.Strings(b)
		if len(a) != len(b) {
			t.Errorf("message %q: French verbs %v, English %v", id, a, b)
			continue
		}
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("message %q: French verbs %v, English %v", id, a, b)
				break
			}
		}
	}
}

// verbs lists s's format verbs; %q counts as %s, since French quotes with
// « %s » where English writes %q.
func verbs(s string) []string {
	v := verb.FindAllString(s, -1)
	for i := range v {
		if v[i] == "%q" {
			v[i] = "%s"
		}
	}
	return v
}
