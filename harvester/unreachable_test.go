package harvester

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// A portal that cannot be reached is said in the reader's language: a
// refused connection in the link checker's words, not the system's
// "dial tcp …: connect: connection refused".
func TestUnreachablePortalInTheReadersLanguage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c, err := NewClient("http://"+addr, ClientOptions{Rate: -1, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Probe(context.Background())
	if vigie.KindOf(err) != vigie.KindUnreachable {
		t.Fatalf("kind %v: %v", vigie.KindOf(err), err)
	}
	fr, en := l10n.Error("fr", err), l10n.Error("en", err)
	if !strings.HasSuffix(fr, " : connexion refusée") || !strings.HasPrefix(fr, "impossible de joindre l'API CKAN à http://"+addr) || strings.Contains(fr, "dial tcp") {
		t.Errorf("fr: %q", fr)
	}
	if !strings.HasSuffix(en, ": connection refused") || strings.Contains(en, "dial tcp") {
		t.Errorf("en: %q", en)
	}
}
