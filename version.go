package vigie

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version is vigie's version when set at link time:
//
//	go build -ldflags "-X github.com/vigie-audit/vigie.version=1.2.0" ./cmd/vigie
//
// Otherwise the module version the binary was built from (go install
// ...@v1.2.0), else "dev".
var version string

// Build says what binary is running: its version, the commit it was built
// from (with "modified" when the work tree had changes) and the Go version.
type Build struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Time      string `json:"commit_time,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go"`
}

// BuildInfo reads the version and the VCS stamp the go command embeds.
func BuildInfo() Build {
	b := Build{Version: cleanVersion(version), GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = cleanVersion(bi.Main.Version)
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// Version is the running vigie's version ("dev" for an unversioned build).
// Harvest, link and score runs, audits and reports record it.
func Version() string { return BuildInfo().Version }

// UserAgent is the one User-Agent vigie sends, to portals and link targets
// alike. It avoids the word some firewalls block ("link") and any quotation
// mark.
func UserAgent() string { return userAgent(Version()) }

func userAgent(v string) string {
	return "vigie/" + cleanVersion(v) + " (+https://github.com/vigie-audit/vigie; open-data metadata audit)"
}

// cleanVersion drops quotes, spaces and a leading "v"; empty becomes "dev".
func cleanVersion(v string) string {
	v = strings.TrimPrefix(strings.Trim(strings.TrimSpace(v), `"' `), "v")
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == '"' || r == '\'' || r == '(' || r == ')' || r > '~' {
			return -1
		}
		return r
	}, v)
	if v == "" || v == "(devel)" {
		return "dev"
	}
	return v
}
