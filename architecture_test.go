package vigie_test

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
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

// typeCheck type-checks the module's packages (tests left out) from their
// sources, importing every dependency from the export data `go list
// -export` gives, by folder.
func typeCheck(t *testing.T) (*token.FileSet, map[string]*types.Info, map[string][]*ast.File) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goBin, "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
			exports[path] = file
		}
	}
	fset, dirs := parsedDirs(t, false)
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	infos := map[string]*types.Info{}
	for dir, files := range dirs {
		ip := module
		if dir != "." {
			ip += "/" + filepath.ToSlash(dir)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}}
		if _, err := (&types.Config{Importer: imp}).Check(ip, fset, files, info); err != nil {
			t.Fatalf("type-checking %s: %v", ip, err)
		}
		infos[dir] = info
	}
	return fset, infos, dirs
}

// jsonShapeHomes are where the JSON shapes users read are declared: the
// report writers (reports/, each shape with its schema in docs/) and the
// root package's domain values and codes they are made of.
var jsonShapeHomes = []string{module, module + "/reports"}

// jsonNotToUsers are the packages whose JSON no user reads: the store's goes
// into its own columns and lock file, the CKAN emulators answer as CKAN
// does, quality hashes its profile.
var jsonNotToUsers = []string{"store", "quality", filepath.Join("internal", "ckantest"), filepath.Join("cmd", "ckanfake")}

// TestJSONShapesLiveWithTheReportWriters: every value a user reads as JSON
// — a file of an audit folder, a report, a command's --format json — is
// encoded from a shape declared in reports/ or the root package, so the
// shapes are found in one place, next to their writers and schemas. It
// finds each json.Marshal, json.MarshalIndent and Encoder.Encode (and each
// function that hands one of its parameters to them, as printJSON does)
// and walks the type encoded, field by field.
func TestJSONShapesLiveWithTheReportWriters(t *testing.T) {
	fset, infos, dirs := typeCheck(t)
	isEncode := func(fn *types.Func) bool {
		if fn.Pkg() == nil || fn.Pkg().Path() != "encoding/json" {
			return false
		}
		switch fn.FullName() {
		case "encoding/json.Marshal", "encoding/json.MarshalIndent", "(*encoding/json.Encoder).Encode":
			return true
		}
		return false
	}
	calleeOf := func(info *types.Info, call *ast.CallExpr) *types.Func {
		var id *ast.Ident
		switch f := ast.Unparen(call.Fun).(type) {
		case *ast.Ident:
			id = f
		case *ast.SelectorExpr:
			id = f.Sel
		default:
			return nil
		}
		fn, _ := info.Uses[id].(*types.Func)
		return fn
	}
	// wrappers: functions that encode their parameter i, as json.Marshal
	// encodes its first.
	wrappers := map[*types.Func]int{}
	// encoded is the argument call encodes as JSON, nil when it encodes none.
	encoded := func(info *types.Info, call *ast.CallExpr) ast.Expr {
		fn := calleeOf(info, call)
		if fn == nil {
			return nil
		}
		arg := -1
		if isEncode(fn) {
			arg = 0
		} else if i, ok := wrappers[fn]; ok {
			arg = i
		}
		if arg < 0 || arg >= len(call.Args) {
			return nil
		}
		return call.Args[arg]
	}
	for changed := true; changed; {
		changed = false
		for dir, files := range dirs {
			info := infos[dir]
			for _, f := range files {
				for _, d := range f.Decls {
					fd, ok := d.(*ast.FuncDecl)
					if !ok || fd.Body == nil {
						continue
					}
					self, _ := info.Defs[fd.Name].(*types.Func)
					if self == nil {
						continue
					}
					if _, done := wrappers[self]; done {
						continue
					}
					params := self.Signature().Params()
					ast.Inspect(fd.Body, func(n ast.Node) bool {
						call, ok := n.(*ast.CallExpr)
						if !ok {
							return true
						}
						arg := encoded(info, call)
						if arg == nil {
							return true
						}
						id, ok := ast.Unparen(arg).(*ast.Ident)
						if !ok {
							return true
						}
						for i := range params.Len() {
							if p := params.At(i); info.Uses[id] == p && types.IsInterface(p.Type()) {
								wrappers[self] = i
								changed = true
							}
						}
						return true
					})
				}
			}
		}
	}
	var walk func(typ types.Type, seen map[types.Type]bool, bad func(*types.TypeName))
	walk = func(typ types.Type, seen map[types.Type]bool, bad func(*types.TypeName)) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		switch x := typ.(type) {
		case *types.Pointer:
			walk(x.Elem(), seen, bad)
		case *types.Slice:
			walk(x.Elem(), seen, bad)
		case *types.Array:
			walk(x.Elem(), seen, bad)
		case *types.Map:
			walk(x.Elem(), seen, bad)
		case *types.Named:
			obj := x.Obj()
			if obj.Pkg() == nil || !strings.HasPrefix(obj.Pkg().Path(), module) {
				return // the standard library's (time.Time) and others'
			}
			if _, isStruct := x.Underlying().(*types.Struct); isStruct && !slices.Contains(jsonShapeHomes, obj.Pkg().Path()) {
				bad(obj)
			}
			walk(x.Underlying(), seen, bad)
		case *types.Struct:
			for i := range x.NumFields() {
				if f := x.Field(i); f.Exported() && reflect.StructTag(x.Tag(i)).Get("json") != "-" {
					walk(f.Type(), seen, bad)
				}
			}
		}
	}
	sites := 0
	for dir, files := range dirs {
		if slices.Contains(jsonNotToUsers, dir) {
			continue
		}
		info := infos[dir]
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				arg := encoded(info, call)
				if arg == nil {
					return true
				}
				sites++
				tv, ok := info.Types[arg]
				if !ok {
					return true
				}
				walk(tv.Type, map[types.Type]bool{}, func(obj *types.TypeName) {
					t.Errorf("%s: %s is encoded as JSON for users but declared in %s; declare its shape in reports/ (with a schema in docs/) or, for a domain value, in the root package",
						fset.Position(call.Pos()), obj.Name(), obj.Pkg().Path())
				})
				return true
			})
		}
	}
	if sites < 10 {
		t.Errorf("only %d JSON encodings found: the search no longer sees them", sites)
	}
}
