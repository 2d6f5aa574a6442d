package l10n

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every syntax error encoding/json gives for these inputs has a French text
// that names the character it did not expect, and keeps the parser's text
// in English.
func TestJSONErrorsInFrench(t *testing.T) {
	for _, c := range []struct{ in, fr string }{
		{`{"a":`, "le JSON s'arrête avant sa fin"},
		{`{"a" 1}`, "caractère « 1 » inattendu après une clé d'objet (« : » attendu)"},
		{`{"a":1 "b":2}`, "caractère « \" » inattendu après une paire clé-valeur (« , » ou « } » attendu)"},
		{`[1 2]`, "caractère « 2 » inattendu après un élément de liste (« , » ou « ] » attendu)"},
		{`{a:1}`, "caractère « a » inattendu là où devait commencer une clé d'objet entre guillemets"},
		{`<html>`, "caractère « < » inattendu là où une valeur devait commencer"},
		{`{"a": tru}`, "caractère « } » inattendu dans le littéral true (« e » attendu)"},
		{`{"a": nul}`, "caractère « } » inattendu dans le littéral null (« l » attendu)"},
		{`{"a": fals }`, "caractère «   » inattendu dans le littéral false (« e » attendu)"},
		{"\"a\tb\"", `caractère « \t » inattendu dans une chaîne`},
		{`"\q"`, "caractère « q » inattendu dans un échappement de chaîne"},
		{`"\u12x4"`, `caractère « x » inattendu dans un échappement \u hexadécimal`},
		{`-x`, "caractère « x » inattendu dans un nombre"},
		{`1.x`, "caractère « x » inattendu après la virgule d'un nombre"},
		{`1ex`, "caractère « x » inattendu dans l'exposant d'un nombre"},
		{`{} x`, "caractère « x » inattendu après la fin de la valeur"},
		{`['a']`, "caractère « ' » inattendu là où une valeur devait commencer"},
		{`[ ]]`, "caractère « ] » inattendu après la fin de la valeur"},
		{strings.Repeat("[", 10001), "le JSON imbrique trop de niveaux"},
	} {
		var v any
		raw := json.Unmarshal([]byte(c.in), &v)
		if raw == nil {
			t.Fatalf("%.40q parses", c.in)
		}
		err := JSONError(raw)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, raw) {
			t.Errorf("%.40q: %v is not a parse error wrapping the parser's", c.in, err)
			continue
		}
		if got := pe.Localize("fr"); got != c.fr {
			t.Errorf("%.40q: French %q, want %q (parser: %q)", c.in, got, c.fr, raw)
		}
		if pe.Localize("en") != raw.Error() || err.Error() != raw.Error() {
			t.Errorf("%.40q: English %q, want the parser's %q", c.in, pe.Localize("en"), raw)
		}
		if got := Error("fr", err); got != c.fr {
			t.Errorf("%.40q: l10n.Error gives %q", c.in, got)
		}
	}
	// A value cut short in a stream, as a decoder reports it.
	var v any
	raw := json.NewDecoder(strings.NewReader(`{"a": [1,`)).Decode(&v)
	if got := Error("fr", JSONError(raw)); got != "le JSON s'arrête avant sa fin" {
		t.Errorf("cut short: %q (%v)", got, raw)
	}
	// Not a syntax error: returned as it is.
	other := errors.New("disk on fire")
	if JSONError(other) != other || JSONError(nil) != nil {
		t.Error("JSONError changed an error that is not the parser's")
	}
}

// The problems a hand-written vigie.yaml meets, as yaml.v3 words them, all
// have their French text; one the table lacks keeps the parser's words.
func TestYAMLProblemsInFrench(t *testing.T) {
	for _, in := range []string{
		"portals:\n  - name: a\n   url: b\n",
		"portals: [a, b\n",
		"portals: {a: 1\n",
		"db: x.db\nportals:\n\t- name: a\n",
		"db: \"a\\qb\"\n",
		"db: \"abc\n",
		"db: a: b\n",
		"portals:\n  - name: a\n  url: b\n - c\n",
		"a\nb: c\n",
		"db: x\n- a\n",
		"a: *\n",
		"a: [b, *]\n",
		"db: x\n\x01\n",
	} {
		var v any
		err := yaml.NewDecoder(bytes.NewReader([]byte(in))).Decode(&v)
		if err == nil {
			t.Fatalf("%q parses", in)
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
			msg = msg[i+2:]
		}
		pe := YAMLProblem(msg)
		if !pe.Translated() || pe.Localize("fr") == msg || pe.Localize("en") != msg {
			t.Errorf("%q: problem %q has no French text (fr %q)", in, msg, pe.Localize("fr"))
		}
	}
	if pe := YAMLProblem("something new"); pe.Translated() || pe.Localize("fr") != "something new" {
		t.Errorf("an unknown problem: %q", pe.Localize("fr"))
	}
}

// yaml.v3's whole errors, a syntax error and a list of values that do not
// fit, on one line in each language, with the file's line numbers kept.
func TestYAMLErrorsInFrench(t *testing.T) {
	type inner struct {
		Every string `yaml:"every"`
	}
	type file struct {
		Parallel int            `yaml:"parallel"`
		Share    float64        `yaml:"share"`
		Send     bool           `yaml:"send"`
		Names    []string       `yaml:"names"`
		Weights  map[string]int `yaml:"weights"`
		Inner    inner          `yaml:"inner"`
	}
	for _, c := range []struct{ in, fr, en string }{
		{"parallel: many\n", "ligne 1 : « many » est un texte là où on attend un nombre entier",
			"line 1: cannot unmarshal !!str `many` into int"},
		{"share: [1]\nsend: maybe\nnosuch: 1\n",
			"ligne 1 : c'est une liste là où on attend un nombre ; ligne 2 : « maybe » est un texte là où on attend true ou false ; ligne 3 : réglage inconnu « nosuch »",
			"line 1: cannot unmarshal !!seq into float64; line 2: cannot unmarshal !!str `maybe` into bool; line 3: field nosuch not found in type l10n.file"},
		{"names: x\nweights: 3\ninner: 2\n",
			"ligne 1 : « x » est un texte là où on attend une liste ; ligne 2 : « 3 » est un nombre entier là où on attend un bloc de réglages ; ligne 3 : « 2 » est un nombre entier là où on attend un bloc de réglages",
			"line 1: cannot unmarshal !!str `x` into []string; line 2: cannot unmarshal !!int `3` into map[string]int; line 3: cannot unmarshal !!int `2` into l10n.inner"},
		{"parallel: 1\n  names: [a\n", "ligne 2 : une valeur « clé: valeur » n'est pas permise ici : mettez entre guillemets une valeur qui contient « : »",
			"line 2: mapping values are not allowed in this context"},
	} {
		var f file
		dec := yaml.NewDecoder(strings.NewReader(c.in))
		dec.KnownFields(true)
		raw := dec.Decode(&f)
		if raw == nil {
			t.Fatalf("%q decodes", c.in)
		}
		pe := YAMLError(raw)
		if got := pe.Localize("fr"); got != c.fr {
			t.Errorf("%q: French\n%q, want\n%q (parser: %q)", c.in, got, c.fr, raw)
		}
		if got := pe.Localize("en"); got != c.en {
			t.Errorf("%q: English %q, want %q", c.in, got, c.en)
		}
	}
}
