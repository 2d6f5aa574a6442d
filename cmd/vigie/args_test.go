package main

import (
	"context"
	"strings"
	"testing"
)

// A missing or extra argument is one line that names the argument and the
// help to read, in the user's language, with exit code 2.
func TestMissingArgumentSaysWhatToPass(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--lang", "en", "explain"}, "vigie explain takes one argument, NAME, and was given 0: see 'vigie explain --help'"},
		{[]string{"--lang", "en", "export", "a", "b"}, "vigie export takes one argument, DIR, and was given 2: see 'vigie export --help'"},
		{[]string{"--lang", "fr", "profile", "show"}, "vigie profile show attend un argument, NOM, et en a reçu 0 : voir « vigie profile show --help »"},
	} {
		code, out, errb := cli(ctx, c.args...)
		if code != ExitUsage || out != "" || strings.TrimSpace(errb) != "vigie: "+c.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errb, c.want)
		}
	}
}

// The English table says statuses in words, as the English reports do: "not
// applicable", not the code not_applicable (the JSON keeps the codes).
func TestDatasetsTableSaysFreshnessInWords(t *testing.T) {
	ctx := context.Background()
	db := t.TempDir() + "/v.db"
	const portal = "https://data.humdata.org"
	if code, _, errb := cli(ctx, "--db", db, "-q", "harvest", "--portal", portal, "--from", "../../testdata/observed/data.humdata.org/package_search_observed.json"); code != 0 {
		t.Fatalf("harvest: exit %d %s", code, errb)
	}
	if code, _, errb := cli(ctx, "--db", db, "-q", "score", "--portal", portal); code != 0 {
		t.Fatalf("score: exit %d %s", code, errb)
	}
	code, out, errb := cli(ctx, "--db", db, "--lang", "en", "datasets", "--portal", portal)
	if code != 0 || !strings.Contains(out, "not applicable") || strings.Contains(out, "not_applicable") {
		t.Fatalf("exit %d %s\n%s", code, errb, out)
	}
	code, out, _ = cli(ctx, "--db", db, "--lang", "en", "datasets", "--portal", portal, "--format", "json")
	if code != 0 || !strings.Contains(out, `"not_applicable"`) {
		t.Fatalf("json lost the code: exit %d\n%s", code, out)
	}
}
