package quality

import (
	"fmt"
	"testing"
)

func TestFormatMatchesFmt(t *testing.T) {
	cases := []struct {
		tmpl string
		args []any
	}{
		{"« %s » : %d caractères", []any{"Vélo", 12}},
		{"Format %q of resource %q should be written %q.", []any{"csv", `a "b"`, "CSV"}},
		{"100 %% sûr : %s", []any{"oui"}},
		{"%d lien(s)", []any{3}},
		{"odd %x", []any{3}},          // unknown verb: falls back to fmt
		{"missing %s %s", []any{"a"}}, // too few args: fmt's own rendering
		{"extra %s", []any{"a", "b"}},
	}
	for _, c := range cases {
		if got, want := format(c.tmpl, c.args), fmt.Sprintf(c.tmpl, c.args...); got != want {
			t.Errorf("format(%q) = %q, want %q", c.tmpl, got, want)
		}
	}
}
