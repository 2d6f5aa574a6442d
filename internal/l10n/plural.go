package l10n

import "strings"

// A count message has two forms separated by "|", singular then plural,
// each with one %s for the number: "%s jeu de données|%s jeux de données".
// French takes the singular for 0 and 1 ("0 jeu", "1 nouveau"), English for
// 1 only ("0 datasets", "1 dataset").

// Plural reports whether n takes the plural form in lang.
func Plural[T ~int | ~int64 | ~int32 | ~uint64](n T, lang string) bool {
	v := int64(n)
	if Lang(lang) == "fr" {
		return v > 1 || v < -1
	}
	return v != 1
}

// N renders count message id for n in lang, the number grouped ("1 567
// jeux de données"). It is the one helper every count vigie prints goes
// through.
func N[T ~int | ~int64 | ~int32 | ~uint64](lang, id string, n T) string {
	return Form(lang, id, Plural(n, lang), Int(n, lang))
}

// Form renders the singular or plural form of count message id with args.
func Form(lang, id string, plural bool, args ...any) string {
	s := T(lang, id)
	one, many, ok := strings.Cut(s, "|")
	if ok {
		s = one
		if plural {
			s = many
		}
	}
	return sprintf(s, args...)
}

// Count is a count message as a sentence's argument: rendered in the
// reader's language by Error, in English by its Error method.
type Count struct {
	ID string
	N  int
}

func (c Count) Error() string               { return N("en", c.ID, c.N) }
func (c Count) Localize(lang string) string { return N(lang, c.ID, c.N) }
