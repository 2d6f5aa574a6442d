package l10n

import (
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
)

// ParseError is a JSON or YAML parser's complaint in the reader's language:
// the parsers' own words are English. A complaint vigie has no French for
// keeps the parser's text in both languages.
type ParseError struct {
	Err error  // the parser's error, its English text
	fr  string // its French text, "" when unknown
}

func (e *ParseError) Error() string { return e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

// Localize is the complaint in lang.
func (e *ParseError) Localize(lang string) string {
	if Lang(lang) == "fr" && e.fr != "" {
		return e.fr
	}
	return e.Err.Error()
}

// Translated says whether the complaint has a French text of its own.
func (e *ParseError) Translated() bool { return e.fr != "" }

// JSONError gives encoding/json's syntax errors (and a value cut short) a
// French text; other errors are returned as they are.
func JSONError(err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &ParseError{Err: err, fr: jsonSyntaxFR(se.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ParseError{Err: err, fr: "le JSON s'arrête avant sa fin"}
	}
	return err
}

// jsonContexts are the places encoding/json's scanner names after the
// character it did not expect ("invalid character 'x' <context>").
var jsonContexts = map[string]string{
	"looking for beginning of value":             "là où une valeur devait commencer",
	"looking for beginning of object key string": "là où devait commencer une clé d'objet entre guillemets",
	"after object key":                           "après une clé d'objet (« : » attendu)",
	"after object key:value pair":                "après une paire clé-valeur (« , » ou « } » attendu)",
	"after array element":                        "après un élément de liste (« , » ou « ] » attendu)",
	"after top-level value":                      "après la fin de la valeur",
	"in string literal":                          "dans une chaîne",
	"in string escape code":                      "dans un échappement de chaîne",
	`in \u hexadecimal character escape`:         `dans un échappement \u hexadécimal`,
	"in numeric literal":                         "dans un nombre",
	"after decimal point in numeric literal":     "après la virgule d'un nombre",
	"in exponent of numeric literal":             "dans l'exposant d'un nombre",
}

var jsonLiteral = regexp.MustCompile(`^in literal (true|false|null) \(expecting '(.+)'\)$`)

// jsonSyntaxFR is a syntax error's French text, "" when its form is unknown.
func jsonSyntaxFR(msg string) string {
	switch msg {
	case "unexpected end of JSON input":
		return "le JSON s'arrête avant sa fin"
	}
	rest, ok := strings.CutPrefix(msg, "invalid character ")
	if !ok || len(rest) < 3 || rest[0] != '\'' {
		return ""
	}
	// The character is quoted 'x' (with Go escapes, never a space inside
	// but for ' ' itself), then one space and the context.
	end := strings.Index(rest[1:], "' ")
	if end < 0 {
		return ""
	}
	char, context := rest[1:end+1], rest[end+3:]
	switch char {
	case "": // ' '
		char = " "
	case `\'`:
		char = "'"
	}
	if context == "exceeded max depth" {
		return "le JSON imbrique trop de niveaux"
	}
	if fr, ok := jsonContexts[context]; ok {
		return "caractère « " + char + " » inattendu " + fr
	}
	if m := jsonLiteral.FindStringSubmatch(context); m != nil {
		return "caractère « " + char + " » inattendu dans le littéral " + m[1] + " (« " + m[2] + " » attendu)"
	}
	return ""
}

// YAMLProblem gives a yaml.v3 parser's problem (the text after "line N: ")
// a French text.
func YAMLProblem(problem string) *ParseError {
	fr := yamlProblems[problem]
	if fr == "" && strings.HasPrefix(problem, "exceeded max depth") {
		fr = "le YAML imbrique trop de niveaux"
	}
	return &ParseError{Err: errors.New(problem), fr: fr}
}

// yamlProblems are the problems yaml.v3's scanner and parser name, those a
// hand-written configuration file meets and a few more.
var yamlProblems = map[string]string{
	"did not find expected key":                                    "clé attendue : vérifiez l'indentation de cette ligne et de la précédente",
	"did not find expected node content":                           "valeur attendue",
	"did not find expected ',' or ']'":                             "« , » ou « ] » attendu",
	"did not find expected ',' or '}'":                             "« , » ou « } » attendu",
	"did not find expected '-' indicator":                          "« - » attendu : un élément de liste commence par « - »",
	"did not find expected <document start>":                       "début de document attendu",
	"did not find expected alphabetic or numeric character":        "lettre ou chiffre attendu",
	"did not find expected comment or line break":                  "commentaire ou fin de ligne attendu",
	"did not find expected whitespace or line break":               "espace ou fin de ligne attendu",
	"did not find expected whitespace":                             "espace attendu",
	"could not find expected ':'":                                  "« : » attendu après la clé",
	"mapping values are not allowed in this context":               "une valeur « clé: valeur » n'est pas permise ici : mettez entre guillemets une valeur qui contient « : »",
	"mapping keys are not allowed in this context":                 "une clé n'est pas permise ici",
	"block sequence entries are not allowed in this context":       "un élément de liste « - » n'est pas permis ici : vérifiez l'indentation",
	"found character that cannot start any token":                  "caractère qui ne peut commencer aucun élément (une tabulation ? l'indentation se fait avec des espaces)",
	"found a tab character that violates indentation":              "une tabulation rompt l'indentation : indentez avec des espaces",
	"found a tab character where an indentation space is expected": "tabulation là où une espace d'indentation est attendue : indentez avec des espaces",
	"found unexpected end of stream":                               "le fichier s'arrête au milieu d'une valeur (un guillemet non fermé ?)",
	"found unexpected document indicator":                          "indicateur de document inattendu",
	"found unknown escape character":                               "échappement inconnu dans une chaîne entre guillemets doubles (écrivez \\\\ pour une barre oblique inverse)",
	"found undefined tag handle":                                   "étiquette non définie",
	"found unexpected ':'":                                         "« : » inattendu",
	"found incompatible YAML document":                             "version de YAML incompatible",
	"control characters are not allowed":                           "caractères de contrôle interdits",
	"invalid leading UTF-8 octet":                                  "le fichier n'est pas en UTF-8",
	"invalid trailing UTF-8 octet":                                 "le fichier n'est pas en UTF-8",
	"incomplete UTF-8 octet sequence":                              "le fichier n'est pas en UTF-8",
	"invalid Unicode character":                                    "caractère Unicode invalide",
	"found invalid Unicode character escape code":                  "échappement de caractère Unicode invalide",
	"found an indentation indicator equal to 0":                    "indicateur d'indentation égal à 0",
	"unknown problem parsing YAML content":                         "contenu YAML illisible",
}

var (
	yamlLineRE  = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	yamlTypeRE  = regexp.MustCompile("^cannot unmarshal !!(\\w+) (?:`(.*)` )?into (\\S+)$")
)

const yamlMaxLines = 5

// YAMLError is yaml.v3's error on one line, in both languages: a syntax
// error ("yaml: line 4: did not find expected key"), or the decoder's list
// of values that do not fit ("yaml: unmarshal errors:" then one line each),
// joined by "; ". A line whose form vigie does not know keeps the parser's
// words in French too.
func YAMLError(err error) *ParseError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var en, fr []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == "unmarshal errors:" {
			continue
		}
		en = append(en, l)
		fr = append(fr, yamlLineFR(l))
	}
	if len(en) == 0 {
		return &ParseError{Err: err}
	}
	if len(en) > yamlMaxLines { // one line on a terminal: the first few say enough
		en, fr = append(en[:yamlMaxLines], "…"), append(fr[:yamlMaxLines], "…")
	}
	return &ParseError{Err: errors.New(strings.Join(en, "; ")), fr: strings.Join(fr, " ; ")}
}

// yamlLineFR is one line of yaml.v3's error in French.
func yamlLineFR(l string) string {
	prefix := ""
	if m := yamlLineRE.FindStringSubmatch(l); m != nil {
		prefix, l = "ligne "+m[1]+" : ", m[2]
	}
	if m := yamlFieldRE.FindStringSubmatch(l); m != nil {
		return prefix + "réglage inconnu « " + m[1] + " »"
	}
	if fr := YAMLType(l); fr.Translated() {
		return prefix + fr.fr
	}
	if p := YAMLProblem(l); p.Translated() {
		return prefix + p.fr
	}
	return prefix + l
}

// YAMLType gives yaml.v3's "cannot unmarshal !!str `abc` into int" (a
// value that does not fit where it is) a French text.
func YAMLType(text string) *ParseError {
	pe := &ParseError{Err: errors.New(text)}
	m := yamlTypeRE.FindStringSubmatch(text)
	if m == nil {
		return pe
	}
	got, ok := yamlTags[m[1]]
	want := yamlGoType(m[3])
	if !ok || want == "" {
		return pe
	}
	if m[2] != "" {
		pe.fr = "« " + m[2] + " » est " + got + " là où on attend " + want
	} else {
		pe.fr = "c'est " + got + " là où on attend " + want
	}
	return pe
}

var yamlTags = map[string]string{
	"str": "un texte", "int": "un nombre entier", "float": "un nombre", "bool": "un booléen",
	"seq": "une liste", "map": "un bloc de réglages", "null": "une valeur vide", "timestamp": "une date",
	"binary": "une valeur binaire",
}

// yamlGoType names the Go type a value was read into as a reader would.
func yamlGoType(t string) string {
	t = strings.TrimLeft(t, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "une liste"
	case strings.HasPrefix(t, "map["):
		return "un bloc de réglages"
	case strings.HasSuffix(t, "Duration"):
		return "une durée"
	}
	switch t {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "un nombre entier"
	case "float32", "float64":
		return "un nombre"
	case "bool":
		return "true ou false"
	case "string":
		return "un texte"
	}
	if strings.Contains(t, ".") || (t != "" && t[0] >= 'A' && t[0] <= 'Z') { // a struct of settings
		return "un bloc de réglages"
	}
	return ""
}
