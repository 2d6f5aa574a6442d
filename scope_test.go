package vigie

import "testing"

func TestScopeNote(t *testing.T) {
	if n := (Scope{Portal: "https://p.example"}).Note(); n != "" {
		t.Errorf("whole portal: %q", n)
	}
	if n := (Scope{Orgs: []string{"ville-a", "ville-b"}}).Note(); n != " (organizations ville-a, ville-b)" {
		t.Errorf("two organizations: %q", n)
	}
}
