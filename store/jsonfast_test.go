package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDecodeStringsAndMaps(t *testing.T) {
	for _, v := range [][]string{nil, {}, {"a"}, {"eau", "Qualité de l'eau", ""}, {`gu"illemets`, "<b>", "a\\b", "tab\there", "é\u2028"}} {
		b, _ := json.Marshal(v)
		got := decodeStrings(string(b))
		if len(v) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("%s: got %q, want %q", b, got, v)
		}
	}
	for _, m := range []map[string]string{nil, {}, {"a": "1"}, {"update_frequency": "monthly", "relidi_confidentialite": "Publique", "vide": ""},
		{`k"ey`: "<v>", "x": "a\\b"}, {"colon:": "comma,", "brace}": "bracket]"},
		{"relidi_ressource_complementaire": `["relidi.rescom"]`, "lignes": "a\nb\r\tc\b\f", "fin": `\`}} {
		b, _ := json.Marshal(m)
		got := decodeStringMap(string(b))
		if len(m) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%s: got %q, want %q", b, got, m)
		}
	}
	// Anything encoding/json would not have written still decodes like it.
	for _, s := range []string{`["a\/b"]`, `["\u00e9"]`, `{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `["a\x"]`, `["a\"]`, `["a\\"]`, `[ "a" ]`, `["a",1]`, `{"a":"1",}`, `{"a"}`, `["a"`, `{"a":"1","b":2}`, `not json`, ``} {
		var want, got any
		var ws []string
		var wm map[string]string
		if s != "" && s[0] == '[' || s == "not json" || s == "" {
			_ = json.Unmarshal([]byte(s), &ws)
			want, got = ws, decodeStrings(s)
		} else {
			_ = json.Unmarshal([]byte(s), &wm)
			want, got = wm, decodeStringMap(s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v, want %#v as encoding/json", s, got, want)
		}
	}
}

func FuzzDecodeStringMap(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"1"}`, `{"a":"1","b":"2"}`, `["x","y"]`, `[]`, `{"a\"":"b"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var wm map[string]string
		if err := json.Unmarshal([]byte(s), &wm); err == nil {
			if got := decodeStringMap(s); len(wm) != len(got) || (len(wm) > 0 && !reflect.DeepEqual(got, wm)) {
				t.Fatalf("%q: got %q, want %q", s, got, wm)
			}
		}
		var ws []string
		if err := json.Unmarshal([]byte(s), &ws); err == nil {
			if got := decodeStrings(s); len(ws) != len(got) || (len(ws) > 0 && !reflect.DeepEqual(got, ws)) {
				t.Fatalf("%q: got %q, want %q", s, got, ws)
			}
		}
	})
}

// The lists and extras columns are written by encodeStrings and
// encodeStringMap: they must be json.Marshal's bytes, so that a column
// written before and after them reads and compares the same.
func TestEncodeStringsAndMapsAsEncodingJSON(t *testing.T) {
	for _, v := range [][]string{nil, {}, {"a"}, {"eau", "Qualité de l'eau", ""}, {`gu"illemets`}, {"<b>"}, {"a&b"},
		{"a\\b"}, {"tab\there"}, {"é\u2028"}, {"\u2029"}, {"bad \xff utf8"}, {"\x7f del", "€ 😀"}} {
		want, _ := json.Marshal(nonNil(v))
		if got := encodeStrings(v); got != string(want) {
			t.Errorf("%q: got %s, want %s", v, got, want)
		}
	}
	for _, m := range []map[string]string{nil, {}, {"a": "1"}, {"update_frequency": "monthly", "relidi_confidentialite": "Publique", "vide": ""},
		{`k"ey`: "<v>", "x": "a\\b"}, {"colon:": "comma,", "brace}": "bracket]"}, {"b": "2", "a": "1", "é": "\xc3"}, {"k": "a>b"}} {
		want := []byte("{}")
		if len(m) > 0 {
			want, _ = json.Marshal(m)
		}
		if got := encodeStringMap(m); got != string(want) {
			t.Errorf("%q: got %s, want %s", m, got, want)
		}
	}
}

func FuzzEncodeStringsAsEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "a", "<", "é", "\u2028", "\xff", `"`, "\x00"} {
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		want, _ := json.Marshal([]string{a, b})
		if got := encodeStrings([]string{a, b}); got != string(want) {
			t.Fatalf("%q %q: got %s, want %s", a, b, got, want)
		}
		want, _ = json.Marshal(map[string]string{a: b, b: a})
		if got := encodeStringMap(map[string]string{a: b, b: a}); got != string(want) {
			t.Fatalf("%q %q: got %s, want %s", a, b, got, want)
		}
	})
}

// BenchmarkDecodeStringMap decodes the extras of a resource of the 100k
// generated catalogue: 13 keys, as most resources have.
func BenchmarkDecodeStringMap(b *testing.B) {
	const extras = `{"datastore_active":"false","metadata_modified":"2024-08-08T22:41:39.921384","relidi_condon_boolee":"oui","relidi_condon_datheu":"oui","relidi_condon_nombre":"oui","relidi_condon_valinc":"oui","relidi_confic_epsg":"non","relidi_confic_pascom":"oui","relidi_confic_separateur_virgule":"oui","relidi_confic_utf8":"oui","relidi_description_champs":"relidi.descha.foudoc","relidi_ressource_complementaire":"[]","taille_entier":"39"}`
	b.ReportAllocs()
	for b.Loop() {
		if m := decodeStringMap(extras); len(m) != 13 {
			b.Fatal(m)
		}
	}
}
