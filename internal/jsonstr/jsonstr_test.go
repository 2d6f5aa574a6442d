package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reference is what encoding/json writes for s, escaping HTML or not.
func reference(t *testing.T, s string, html bool) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "<a href=\"x\">&amp;</a>", "\b\f\n\r\t\x00\x1f\x7f",
		"é ü 中文 😀", "\u2028\u2029", "\xff\xfe bad", "a\xc3", "\xed\xa0\x80 surrogate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{false, true} {
			if got, want := string(Append([]byte("x"), s, html)), "x"+reference(t, s, html); got != want {
				t.Fatalf("Append(%q, html %v) = %s, encoding/json writes %s", s, html, got, want)
			}
		}
	})
}

// The two modes differ exactly on < > &.
func TestAppendModes(t *testing.T) {
	if got := string(Append(nil, "a<b>&c", false)); got != `"a<b>&c"` {
		t.Errorf("without html: %s", got)
	}
	if got := string(Append(nil, "a<b>&c", true)); got != `"a\u003cb\u003e\u0026c"` {
		t.Errorf("with html: %s", got)
	}
}
