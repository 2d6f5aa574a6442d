package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"strings"
	"testing"
)

// Usage errors are known by their kind or by where cobra raised them, never by
// their text: an unknown command, a wrong argument count and a bad run
// reference all exit 2 with cobra's or the store's message unchanged.
func TestUsageErrorsByKind(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	db := storetest.NewDSN(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuchcommand"}, `unknown command "nosuchcommand"`},
		// a group's unknown subcommand: cobra alone prints the help, exit 0
		{[]string{"completion", "nope"}, `unknown command "completion nope"`},
		{[]string{"config", "--lang", "en", "nope"}, `unknown command "config nope"`},
		{[]string{"profile", "show", "a", "b", "c"}, "arg"},
		{[]string{"explain"}, "arg"},
	} {
		code, _, errs := cli(ctx, append(c.args, "--db", db)...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("vigie %s: exit %d, %q; want exit %d saying %q", strings.Join(c.args, " "), code, errs, ExitUsage, c.want)
		}
	}
}

// The commands cobra adds at run time are not unknown commands.
func TestHelpAndCompletionStillRun(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "diff"}, {"completion", "bash"}, {"__complete", "report", "--format", ""}} {
		if code, _, errs := cli(context.Background(), args...); code != ExitOK {
			t.Errorf("vigie %s: exit %d %s", strings.Join(args, " "), code, errs)
		}
	}
}
