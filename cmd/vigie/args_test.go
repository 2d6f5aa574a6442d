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
		{[]string{"--lang", "fr", "profile", "show"}, "vigie profile show attend un argument, NAME, et en a reçu 0 : voir « vigie profile show --help »"},
	} {
		code, out, errb := cli(ctx, c.args...)
		if code != ExitUsage || out != "" || strings.TrimSpace(errb) != "vigie: "+c.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errb, c.want)
		}
	}
}
