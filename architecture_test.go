package vigie_test

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
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

// parsedDirs parses the module's Go files, tests left out unless withTests,
// by folder.
func parsedDirs(t *testing.T, withTests bool) (*token.FileSet, map[string][]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	dirs := map[string][]*ast.File{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || !withTests && strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fset, dirs
}

// TestDocCommentsNameTheirOwnFunction: a doc comment that starts with the
// name of another function of its package was left behind by a rename or a
// copy, and tells the reader about the wrong code.
func TestDocCommentsNameTheirOwnFunction(t *testing.T) {
	fset, dirs := parsedDirs(t, false)
	for _, files := range dirs {
		funcs := map[string]bool{}
		for _, f := range files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					funcs[fd.Name.Name] = true
				}
			}
		}
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Doc == nil {
					continue
				}
				words := strings.Fields(fd.Doc.Text())
				if len(words) == 0 {
					continue
				}
				if w := strings.TrimRight(words[0], ",:."); w != fd.Name.Name && funcs[w] {
					t.Errorf("%s: the doc comment of %s starts with %s, another function", fset.Position(fd.Pos()), fd.Name.Name, w)
				}
			}
		}
	}
}

// TestEveryAppMethodIsUsed: cmd/vigie's App holds what every command
// shares; a method no command calls is dead weight a reader must still
// understand.
func TestEveryAppMethodIsUsed(t *testing.T) {
	_, dirs := parsedDirs(t, false)
	files := dirs[filepath.Join("cmd", "vigie")]
	if len(files) == 0 {
		t.Fatal("cmd/vigie not found")
	}
	methods := map[string]bool{}
	used := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 {
				typ := fd.Recv.List[0].Type
				if s, ok := typ.(*ast.StarExpr); ok {
					typ = s.X
				}
				if id, ok := typ.(*ast.Ident); ok && id.Name == "App" {
					methods[fd.Name.Name] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				used[sel.Sel.Name] = true
			}
			return true
		})
	}
	if len(methods) < 3 {
		t.Fatalf("only %d methods of App found", len(methods))
	}
	for m := range methods {
		if !used[m] {
			t.Errorf("App.%s is never called", m)
		}
	}
}

// TestOneFirstLine: the first line of an untrusted text is taken by
// internal/plain.FirstLine only (it was written four times, each cutting a
// little differently).
func TestOneFirstLine(t *testing.T) {
	fset, dirs := parsedDirs(t, false)
	for dir, files := range dirs {
		for _, f := range files {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && strings.EqualFold(fd.Name.Name, "firstLine") && dir != filepath.Join("internal", "plain") {
					t.Errorf("%s: another %s; use plain.FirstLine", fset.Position(fd.Pos()), fd.Name.Name)
				}
			}
		}
	}
}
