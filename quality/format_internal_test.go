package quality

import (
	"fmt"
	"strconv"
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

// formatBytewise is format as it was before it copied literal runs whole:
// the reference the fuzz test holds it to.
func formatBytewise(tmpl string, args []any) string {
	var b []byte
	n := 0
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '%' || i+1 == len(tmpl) {
			b = append(b, c)
			continue
		}
		i++
		verb := tmpl[i]
		if verb == '%' {
			b = append(b, '%')
			continue
		}
		if n >= len(args) {
			return fmt.Sprintf(tmpl, args...)
		}
		a := args[n]
		n++
		switch v := a.(type) {
		case string:
			switch verb {
			case 's':
				b = append(b, v...)
			case 'q':
				b = strconv.AppendQuote(b, v)
			default:
				return fmt.Sprintf(tmpl, args...)
			}
		case int:
			if verb != 'd' {
				return fmt.Sprintf(tmpl, args...)
			}
			b = strconv.AppendInt(b, int64(v), 10)
		default:
			return fmt.Sprintf(tmpl, args...)
		}
	}
	if n != len(args) {
		return fmt.Sprintf(tmpl, args...)
	}
	return string(b)
}

func FuzzFormatAsBytewise(f *testing.F) {
	for _, s := range []string{"« %s » : %d caractères", "100 %% sûr : %s", "trailing %", "%", "%%", "", "%s%d%q", "a%xb"} {
		f.Add(s, "Vélo", 12)
	}
	f.Fuzz(func(t *testing.T, tmpl, s string, d int) {
		for _, args := range [][]any{nil, {s}, {s, d}, {d, s, s}} {
			if got, want := format(tmpl, args), formatBytewise(tmpl, args); got != want {
				t.Errorf("format(%q, %v) = %q, want %q", tmpl, args, got, want)
			}
		}
	})
}

func BenchmarkFormat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		format("La ressource « %s » déclare le format %q mais le serveur renvoie %q : corriger le format déclaré.", []any{"Données 2024", "CSV", "text/html"})
	}
}
