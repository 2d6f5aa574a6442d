package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var (
	quotedCommand = regexp.MustCompile(`'vigie ([a-z][a-z-]*(?: [a-z][a-z-]*)*)([^']*)'`)
	flagName      = regexp.MustCompile(`--([a-z][a-z0-9-]+)`)
)

// flagsIn returns the --flags written in s as a command line writes them:
// after a space, a quote or a bracket, and before a space, a value, a
// quote or punctuation (a CSS variable, --fg: or var(--fg), is not one).
func flagsIn(s string) []string {
	var out []string
	for _, m := range flagName.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > 0 && !strings.ContainsRune(" \t\n('\"`[", rune(s[m[0]-1])) || strings.HasSuffix(s[:m[0]], "var(") ||
			strings.HasSuffix(s[:m[0]], "brew ") { // another program's flag, in the completion help
			continue
		}
		if m[1] < len(s) && !strings.ContainsRune(" \t\n'\"`,.;)=]", rune(s[m[1]])) {
			continue
		}
		out = append(out, s[m[2]:m[3]])
	}
	return out
}

// TestHintsNameRealCommandsAndFlags reads every string of vigie's own
// packages: a command quoted as 'vigie NAME …' must exist with the flags
// quoted after it, and any --flag must be one that some command takes. A
// hint once sent people to 'vigie orgs' before it existed, another to a
// flag of the wrong command.
func TestHintsNameRealCommandsAndFlags(t *testing.T) {
	root := NewRootCmd(&App{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	anyFlag := map[string]bool{"help": true, "version": true}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags(), c.InheritedFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { anyFlag[f.Name] = true })
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)

	fset := token.NewFileSet()
	checked := 0
	err := eachSourceFile("ckanfake", func(path string) error {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			where := fset.Position(lit.Pos()).String()
			for _, m := range quotedCommand.FindAllStringSubmatch(s, -1) {
				checked++
				c, rest, err := root.Find(strings.Fields(m[1]))
				if err != nil || c == root {
					t.Errorf("%s: %q names no command", where, m[0])
					continue
				}
				args := strings.Join(rest, " ") + m[2]
				for _, fl := range flagsIn(args) {
					if c.Flags().Lookup(fl) == nil && c.InheritedFlags().Lookup(fl) == nil {
						t.Errorf("%s: %q: %s has no --%s", where, m[0], c.CommandPath(), fl)
					}
				}
			}
			for _, fl := range flagsIn(s) {
				checked++
				if !anyFlag[fl] {
					t.Errorf("%s: --%s is no flag of any command", where, fl)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Errorf("only %d commands and flags found in messages", checked)
	}
}

// libraryCommand is a vigie command quoted in a sentence: 'vigie NAME',
// « vigie NAME » or "vigie NAME".
var libraryCommand = regexp.MustCompile(`('|« |")vigie [a-z]`)

// TestLibrariesNameNoCommand: the packages outside cmd/ say what went wrong
// and carry a kind; only the command line says what to run. It reads their
// catalogue messages ({FR: …, EN: …}), their errors (Errorf, errors.New)
// and their log lines (Info, Warn, Error, Debug): none may quote a vigie
// command. What a finding tells the publisher (quality's hints) is report
// content, not an error, and is not read here.
func TestLibrariesNameNoCommand(t *testing.T) {
	if msgs := libraryCommandsIn(t, `package x
func f() error {
	l10n.Add(map[string]l10n.Msg{"x": {FR: "x : lancez « vigie check »", EN: "x: run 'vigie check'"}})
	log.Info("links: run 'vigie links' first")
	return fmt.Errorf("see 'vigie config show'")
}`); len(msgs) != 4 {
		t.Fatalf("the check itself finds %d of 4 quoted commands: %q", len(msgs), msgs)
	}
	found := 0
	err := eachSourceFile("cmd", func(path string) error {
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found++
		for _, m := range libraryCommandsIn(t, string(src)) {
			t.Errorf("%s: %q names a command: give the error a kind and let cmd/vigie/errors.go say what to do", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 50 {
		t.Errorf("only %d library files read", found)
	}
}

// eachSourceFile calls fn with each non-test Go file of the module, leaving
// out test data, benchmarks, scripts, deploy files, hidden folders and the
// folders named skip.
func eachSourceFile(skip string, fn func(path string) error) error {
	return filepath.WalkDir(filepath.Join("..", ".."), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", skip, "bench", "scripts", "deploy":
				return filepath.SkipDir
			}
			if strings.HasPrefix(d.Name(), ".") && d.Name() != ".." && d.Name() != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		return fn(path)
	})
}

// libraryCommandsIn returns the sentences of src (messages, errors, log
// lines) that quote a vigie command.
func libraryCommandsIn(t *testing.T, src string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	strs := func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && libraryCommand.MatchString(s) {
					out = append(out, s)
				}
			}
			return true
		})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "FR" || k.Name == "EN") {
				strs(n.Value)
				return false
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				switch sel.Sel.Name {
				case "Errorf", "New", "Info", "Warn", "Error", "Debug":
					for _, a := range n.Args {
						strs(a)
					}
					return false
				}
			}
		}
		return true
	})
	return out
}
