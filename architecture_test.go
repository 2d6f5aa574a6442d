package vigie_test

import (
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/vigie-audit/vigie"

// moduleImports is the module's packages each package imports, tests left
// out, read from the sources with go/build.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	deps := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files here
		}
		ip := module
		if path != "." {
			ip += "/" + filepath.ToSlash(path)
		}
		for _, imp := range pkg.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				deps[ip] = append(deps[ip], imp)
			}
		}
		if _, ok := deps[ip]; !ok {
			deps[ip] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return deps
}

// reach is every module package pkg depends on, directly or not.
func reach(deps map[string][]string, pkg string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, d := range deps[p] {
			if !seen[d] {
				seen[d] = true
				walk(d)
			}
		}
	}
	walk(pkg)
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestStagesFlowOneWay holds the seams of docs/architecture.md: the CKAN
// source stores nothing, the stages know no source nor report format, and
// nothing imports a command.
func TestStagesFlowOneWay(t *testing.T) {
	deps := moduleImports(t)
	if len(deps) < 10 {
		t.Fatalf("only %d packages found", len(deps))
	}
	forbid := map[string][]string{
		"harvester": {"store", "pipeline", "reports", "quality"},
		"pipeline":  {"harvester", "reports"},
	}
	for pkg, bad := range forbid {
		for _, d := range reach(deps, module+"/"+pkg) {
			for _, b := range bad {
				if d == module+"/"+b {
					t.Errorf("%s depends on %s", pkg, b)
				}
			}
		}
	}
	for pkg, ds := range deps {
		for _, d := range ds {
			if strings.HasPrefix(d, module+"/cmd/") {
				t.Errorf("%s imports the command %s", pkg, d)
			}
		}
	}
}
