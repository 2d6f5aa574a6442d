package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/store"
)

// Every error kind but "other" has its rule: an exit code and, unless the
// message says it all, a hint in French and in English that differ and come
// from the catalogue, whatever values the error carries.
func TestEveryErrorKindHasARule(t *testing.T) {
	samples := []*vigie.Error{
		{},
		{Path: "/srv/vigie.db", Portal: "https://a.example", Org: "ville-de-lavax"},
		{Portal: "https://a.example", Near: []string{"https://b.example"}},
		{Portal: "https://a.example", Org: "x", Near: []string{"ville-de-laval", "ville-de-lava"}},
	}
	for _, k := range vigie.Kinds() {
		if k == vigie.KindOther {
			if _, ok := kinds[k]; ok {
				t.Error("the kind other has a rule: a plain failure needs none")
			}
			continue
		}
		r, ok := kinds[k]
		if !ok {
			t.Errorf("kind %s has no rule in the kinds table", k)
			continue
		}
		if r.exit != ExitFailure && r.exit != ExitUsage {
			t.Errorf("kind %s exits %d", k, r.exit)
		}
		if r.hint == nil {
			if k != vigie.KindUsage {
				t.Errorf("kind %s has no hint: say what to do", k)
			}
			continue
		}
		for _, s := range samples {
			e := *s
			e.Kind = k
			fr, en := r.hint("fr", &e), r.hint("en", &e)
			if fr == "" || en == "" || fr == en || strings.HasPrefix(fr, "hint.") || strings.HasPrefix(en, "hint.") {
				t.Errorf("kind %s with %+v: hint fr %q, en %q", k, e, fr, en)
			}
			if w := englishWord(fr); w != "" {
				t.Errorf("kind %s: the French hint holds the English word %q: %s", k, w, fr)
			}
		}
		if got := exitCode(&vigie.Error{Kind: k, Err: store.ErrNotFound}); got != r.exit {
			t.Errorf("kind %s: exit %d, the table says %d", k, got, r.exit)
		}
	}
	if got := exitCode(vigie.Errorf(vigie.KindOther, "plain")); got != ExitFailure {
		t.Errorf("a plain failure exits %d", got)
	}
	if englishWord("la base is missing") != "is" || englishWord("« vigie harvest --from x » : passez le bon --db") != "" {
		t.Error("englishWord does not tell English words from commands")
	}
}

var verbRE = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

// The catalogue, as every package registered it: each message in both
// languages with the same verbs, every sentence translated (its French and
// English texts differ) and no English word a French reader would not
// expect in the French texts of errors, hints, logs and summaries.
func TestCatalogueSpeaksBothLanguages(t *testing.T) {
	l10n.CheckCatalog(t)
	ids := l10n.IDs()
	if len(ids) < 200 {
		t.Fatalf("only %d messages: did every package register its own?", len(ids))
	}
	// Words the same in both languages, and flag values (English, as typed).
	same := map[string]bool{"n.licences": true, "n.messages": true, "n.all.ok": true}
	flagValues := map[string]bool{"usage.class": true, "usage.state": true}
	sentence := regexp.MustCompile(`^(store|pipeline|harvester|reports|hint|usage|flag|org|log|links|harvest|score|audit|command|sys|cmd|n)\.`)
	for _, id := range ids {
		m, _ := l10n.Lookup(id)
		if !sentence.MatchString(id) {
			continue
		}
		en := verbRE.ReplaceAllString(m.EN, "X")
		if len(strings.Fields(en)) >= 3 && m.FR == m.EN && !same[id] {
			t.Errorf("message %q is not translated: %q", id, m.FR)
		}
		fr := verbRE.ReplaceAllString(m.FR, "X")
		if w := englishWord(fr); w != "" && !flagValues[id] {
			t.Errorf("message %q: the French text holds the English word %q: %s", id, w, m.FR)
		}
		if strings.Contains(m.FR, "|") != strings.Contains(m.EN, "|") {
			t.Errorf("message %q: a count message needs its two forms in both languages: %q / %q", id, m.FR, m.EN)
		}
	}
	// Every library error sentence the kinds rely on is there.
	for _, id := range []string{"store.db_missing", "store.not_harvested", "store.in_use", "store.no_score_run", "pipeline.unknown_org",
		"harvester.unreachable", "harvester.not_ckan", "reports.not_scored"} {
		if !l10n.Has(id) {
			t.Errorf("message %q is missing", id)
		}
	}
}

// Each count message rendered with 0, 1, 2 and 1 000 in both languages:
// French takes the singular for 0 and 1, English for 1 only, and the number
// is grouped the language's way.
func TestCountMessagesAgreeInNumber(t *testing.T) {
	var registered []string
	for _, id := range l10n.IDs() {
		if strings.HasPrefix(id, "n.") {
			registered = append(registered, id)
		}
	}
	for _, id := range countIDs {
		if !slices.Contains(registered, id) {
			t.Errorf("count message %q is not registered", id)
		}
	}
	for _, id := range registered {
		m, _ := l10n.Lookup(id)
		for _, lang := range []string{"fr", "en"} {
			text := m.FR
			if lang == "en" {
				text = m.EN
			}
			one, many, ok := strings.Cut(text, "|")
			if !ok {
				t.Errorf("%s (%s): %q has no singular|plural", id, lang, text)
				continue
			}
			for _, n := range []int{0, 1, 2, 1000} {
				got := l10n.N(lang, id, n)
				if strings.Count(one, "%s") > 1 {
					got = l10n.Form(lang, id, l10n.Plural(n, lang), l10n.Int(n, lang), "5")
				}
				singular := n == 1 || lang == "fr" && n == 0
				form := many
				if singular {
					form = one
				}
				want := strings.Replace(form, "%s", l10n.Int(n, lang), 1)
				want = strings.Replace(want, "%s", "5", 1)
				if got != want {
					t.Errorf("%s (%s) with %d: %q, want %q", id, lang, n, got, want)
				}
			}
		}
	}

	// The summaries put them together.
	h := &pipeline.HarvestResult{Mode: "full", Fetched: 1, Counts: store.SaveCounts{New: 1}, Organizations: 1, Requests: 1, Licences: 1}
	for lang, want := range map[string]string{
		"fr": "moissonnage complet : 1 jeu : 1 nouveau, 0 modifié, 0 inchangé, 0 disparu, 0 supprimé ; 1 organisation ; 1 licence au registre du portail ; 1 requête ; 0s",
		"en": "harvest full: 1 dataset: 1 new, 0 changed, 0 unchanged, 0 missing, 0 deleted; 1 organization; 1 licence in the portal's register; 1 request; 0s",
	} {
		if got := harvestSummary(h, lang); got != want {
			t.Errorf("%s:\n got %q\nwant %q", lang, got, want)
		}
	}
	h = &pipeline.HarvestResult{Mode: "full", Fetched: 1000, Counts: store.SaveCounts{New: 2, Changed: 998}, Organizations: 0, Requests: 2}
	for lang, want := range map[string]string{
		"fr": "moissonnage complet : 1" + l10n.ThinSpace + "000 jeux : 2 nouveaux, 998 modifiés, 0 inchangé, 0 disparu, 0 supprimé ; 0 organisation ; 2 requêtes ; 0s",
		"en": "harvest full: 1,000 datasets: 2 new, 998 changed, 0 unchanged, 0 missing, 0 deleted; 0 organizations; 2 requests; 0s",
	} {
		if got := harvestSummary(h, lang); got != want {
			t.Errorf("%s:\n got %q\nwant %q", lang, got, want)
		}
	}
	s := &pipeline.ScoreOutcome{Datasets: 1, Profile: "mqa"}
	if got := scoreSummary(s, "fr"); !strings.HasPrefix(got, "1 jeu évalué avec le profil mqa") {
		t.Errorf("score fr: %q", got)
	}
	if got := scoreSummary(s, "en"); !strings.HasPrefix(got, "scored 1 dataset with profile mqa") {
		t.Errorf("score en: %q", got)
	}
	// tau reads as a percentage, as in every report, not as a fraction
	s = &pipeline.ScoreOutcome{Datasets: 2, Profile: "mqa", Tau: 0.2875, Scheduled: 1284}
	for lang, want := range map[string]string{
		"fr": " ; frais (tau) 28,8" + l10n.ThinSpace + "% de 1" + l10n.ThinSpace + "284 jeux planifiés",
		"en": "; fresh (tau) 28.8% of 1,284 scheduled;",
	} {
		if got := scoreSummary(s, lang); !strings.Contains(got, want) {
			t.Errorf("score tau %s:\n got %q\nwant it to contain %q", lang, got, want)
		}
	}
	lo := &pipeline.LinkOutcome{RunID: 4}
	lo.Summary.URLs, lo.Summary.Hosts, lo.Summary.OK = 1, 1, 1
	for lang, want := range map[string]string{
		"fr": "1 URL vérifiée sur 1 hôte en 0s : 1 fonctionne, 0 ne fonctionne pas (0 brisé, 0 en échec), 0 incertaine, 0 invalide, 0 bloquée [vérification n° 4]",
		"en": "checked 1 URL on 1 host in 0s: 1 ok, 0 not working (0 broken, 0 failing), 0 unsure, 0 invalid, 0 blocked [link run 4]",
	} {
		if got := summaryLine(lo, lang); got != want {
			t.Errorf("links %s:\n got %q\nwant %q", lang, got, want)
		}
	}
}
