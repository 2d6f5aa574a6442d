package l10n

import (
	"fmt"
	"sort"
	"sync"

	"github.com/vigie-audit/vigie"
)

// Msg is one message in French and English.
type Msg struct{ FR, EN string }

var (
	mu      sync.RWMutex
	catalog = map[string]Msg{}
)

// Add registers messages by id (packages call it from init). Adding an id
// twice with other texts panics: one id, one message.
func Add(msgs map[string]Msg) {
	mu.Lock()
	defer mu.Unlock()
	for id, m := range msgs {
		if old, ok := catalog[id]; ok && old != m {
			panic("l10n: message " + id + " registered twice")
		}
		catalog[id] = m
	}
}

// T returns message id in lang ("en" or French), formatted with args when
// given; an argument that can (a Num, a Count) is written in lang. An
// unknown id is returned as is, so that a missing message shows.
func T(lang, id string, args ...any) string {
	args = localize(lang, args)
	mu.RLock()
	m, ok := catalog[id]
	mu.RUnlock()
	s := id
	if ok {
		s = m.FR
		if Lang(lang) == "en" {
			s = m.EN
		}
	}
	return sprintf(s, args...)
}

// localize writes the arguments that know how (Localize) in lang.
func localize(lang string, args []any) []any {
	var out []any
	for i, a := range args {
		if lz, ok := a.(interface{ Localize(string) string }); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = lz.Localize(Lang(lang))
		}
	}
	if out == nil {
		return args
	}
	return out
}

func sprintf(s string, args ...any) string {
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func init() {
	vigie.MessageText = T // an error's English text comes from this catalogue
}

// Has says whether id is in the catalogue.
func Has(id string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := catalog[id]
	return ok
}

// IDs lists the catalogue's ids, sorted (for tests).
func IDs() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(catalog))
	for id := range catalog {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the message of id.
func Lookup(id string) (Msg, bool) {
	mu.RLock()
	defer mu.RUnlock()
	m, ok := catalog[id]
	return m, ok
}
