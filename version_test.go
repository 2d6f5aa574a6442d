package vigie

import (
	"runtime"
	"strings"
	"testing"
)

func TestUserAgent(t *testing.T) {
	for _, v := range []string{"1.4.0", `"1.4.0"`, "v1.4.0", "dev", "", "1.4.0 (evil\")"} {
		ua := userAgent(v)
		if !strings.HasPrefix(ua, "vigie/") || !strings.Contains(ua, "https://github.com/vigie-audit/vigie") ||
			strings.Contains(strings.ToLower(ua), "link") || strings.ContainsAny(ua, `"'`) || strings.Count(ua, "(") != 1 {
			t.Errorf("userAgent(%q) = %q", v, ua)
		}
	}
	if got := userAgent("v1.4.0"); got != "vigie/1.4.0 (+https://github.com/vigie-audit/vigie; open-data metadata audit)" {
		t.Errorf("got %q", got)
	}
	if got := userAgent(""); !strings.HasPrefix(got, "vigie/dev ") {
		t.Errorf("empty version: %q", got)
	}
	if UserAgent() != userAgent(Version()) {
		t.Error("UserAgent does not carry Version")
	}
}

func TestBuildInfo(t *testing.T) {
	b := BuildInfo()
	if b.Version == "" || b.GoVersion != runtime.Version() {
		t.Errorf("BuildInfo = %+v", b)
	}
	old := version
	version = "2.3.4"
	defer func() { version = old }()
	if Version() != "2.3.4" {
		t.Errorf("a version set at link time is not used: %q", Version())
	}
}
