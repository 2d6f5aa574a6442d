package l10n

import "testing"

func TestCatalog(t *testing.T) {
	Add(map[string]Msg{"test.hello": {FR: "bonjour %s", EN: "hello %s"}})
	if T("fr", "test.hello", "Québec") != "bonjour Québec" || T("en", "test.hello", "x") != "hello x" || T("fr", "nope") != "nope" {
		t.Error("T")
	}
	CheckCatalog(t)
}
