package vigie

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestEveryLinkReasonHasBothTexts fails when a Reason* constant has no
// French or English text, or when the two are the same words.
func TestEveryLinkReasonHasBothTexts(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "linkreason.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || !strings.HasPrefix(vs.Names[0].Name, "Reason") {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
			s, _ := strconv.Unquote(lit.Value)
			codes = append(codes, s)
		}
		return true
	})
	if len(codes) < 20 {
		t.Fatalf("found only %d reason codes in linkreason.go", len(codes))
	}
	for _, c := range codes {
		tx, ok := linkReasonTexts[c]
		if !ok || tx[0] == "" || tx[1] == "" {
			t.Errorf("reason %q lacks a French or English text", c)
			continue
		}
		stored := EncodeLinkReasons(R(c, "404", "30s"))
		fr, en := LinkReasonText("fr", stored), LinkReasonText("en", stored)
		if fr == en || fr == "" || strings.Contains(fr, c) {
			t.Errorf("reason %q: French %q, English %q", c, fr, en)
		}
	}
}

func TestLinkReasonRendering(t *testing.T) {
	for _, tc := range []struct{ stored, fr, en string }{
		{"http_status|404", "HTTP 404, introuvable", "HTTP 404, not found"},
		{"dns_not_found|x.example", "le nom d'hôte n'existe pas (x.example)", "host name does not resolve (x.example)"},
		{"landing_page|CSV;many_redirects|3", "sert une page HTML là où des données CSV étaient déclarées ; atteint après 3 redirections : pointer la ressource vers l'adresse finale",
			"serves an HTML page where CSV data was declared; reached after 3 redirects: point the resource at the final address"},
		{"body_unreadable|timeout|30s", "le contenu n'a pas pu être lu : aucune réponse en 30s", "the body could not be read: no answer within 30s"},
		{"tls_error|hostname", "erreur TLS (le certificat ne correspond pas au nom d'hôte)", "TLS error (certificate does not match the host name)"},
		{"older prose", "older prose", "older prose"},
		{"", "", ""},
	} {
		if got := LinkReasonText("fr", tc.stored); got != tc.fr {
			t.Errorf("fr %q: %q, want %q", tc.stored, got, tc.fr)
		}
		if got := LinkReasonText("en", tc.stored); got != tc.en {
			t.Errorf("en %q: %q, want %q", tc.stored, got, tc.en)
		}
	}
	if c := LinkReasonCode("landing_page|CSV;many_redirects|3"); c != "landing_page;many_redirects" {
		t.Errorf("code %q", c)
	}
	// Parameters never break the stored form.
	s := EncodeLinkReasons(R(ReasonRequestFailed, "a|b;c"))
	if rs, ok := ParseLinkReasons(s); !ok || len(rs) != 1 || rs[0].Args[0] != "a/b,c" {
		t.Errorf("%q parsed as %v %v", s, rs, ok)
	}
}
