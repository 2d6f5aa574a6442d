package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// fill sets every field v reaches to a value that is not its zero: each
// list gets one element, each pointer a value (but a pointer back to a type
// being filled, as ReplacedBy, stays nil).
func fill(v reflect.Value, n *int, filling map[reflect.Type]bool) {
	*n++
	switch v.Kind() {
	case reflect.Pointer:
		if !filling[v.Type().Elem()] {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), n, filling)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 1, 2, 30, *n, 0, time.UTC)))
			return
		}
		filling[v.Type()] = true
		defer delete(filling, v.Type())
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n, filling)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n, filling)
	case reflect.String:
		v.SetString("s" + strings.Repeat("x", *n%7+1))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// zeroLeaves lists the JSON values of doc that are null, empty, 0, false or
// "", by path.
func zeroLeaves(path string, doc any, out *[]string) {
	switch x := doc.(type) {
	case map[string]any:
		for k, v := range x {
			zeroLeaves(path+"."+k, v, out)
		}
	case []any:
		if len(x) == 0 {
			*out = append(*out, path)
		}
		for _, v := range x {
			zeroLeaves(path+"[]", v, out)
		}
	default:
		if x == nil || x == "" || x == false || x == float64(0) {
			*out = append(*out, path)
		}
	}
}

// paths lists every key path of doc.
func paths(path string, doc any, out map[string]bool) {
	out[path] = true
	switch x := doc.(type) {
	case map[string]any:
		for k, v := range x {
			paths(path+"."+k, v, out)
		}
	case []any:
		for _, v := range x {
			paths(path+"[]", v, out)
		}
	}
}

// checkShows says what a file made from a filled value lacks: its keys
// must be those of the shape filled directly, and none of its values zero.
func checkShows(t *testing.T, name string, got []byte, shape any) {
	t.Helper()
	fill(reflect.ValueOf(shape).Elem(), new(int), map[reflect.Type]bool{})
	want, err := json.Marshal(shape)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	gp, wp := map[string]bool{}, map[string]bool{}
	paths("", g, gp)
	paths("", w, wp)
	for p := range wp {
		if !gp[p] {
			t.Errorf("%s lacks %s", name, p)
		}
	}
	var zero []string
	zeroLeaves("", g, &zero)
	if len(zero) > 0 {
		t.Errorf("%s loses %v:\n%s", name, zero, got)
	}
}

// TestAuditShapesShowEveryField: diff.json and run.json are reports' shapes
// of vigie.DiffResult and vigie.AuditRecord; a field of the value that the
// shape forgets to copy would silently vanish from the files users read.
func TestAuditShapesShowEveryField(t *testing.T) {
	var d vigie.DiffResult
	fill(reflect.ValueOf(&d).Elem(), new(int), map[reflect.Type]bool{})
	b, err := json.Marshal(NewDiffDocument("https://portal.example", &d))
	if err != nil {
		t.Fatal(err)
	}
	checkShows(t, "diff.json", b, &DiffDocument{})

	var rec vigie.AuditRecord
	fill(reflect.ValueOf(&rec).Elem(), new(int), map[reflect.Type]bool{})
	dir := t.TempDir()
	if err := WriteRunJSON(dir, &rec); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkShows(t, "run.json", b, &RunDocument{})
	if !strings.HasSuffix(string(b), "}\n") || !strings.HasPrefix(string(b), "{\n  \"portal\"") {
		t.Errorf("run.json is not the indented record:\n%s", b)
	}
}

// TestEmptyComparisonListsAreArrays: every list of diff.json is [] when
// nothing is in it, never null (docs/diff.schema.json).
func TestEmptyComparisonListsAreArrays(t *testing.T) {
	b, err := json.Marshal(NewDiffDocument("p", &vigie.DiffResult{}))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	lists := 0
	for k, v := range doc {
		if v == nil {
			t.Errorf("%s is null", k)
		}
		if _, ok := v.([]any); ok {
			lists++
		}
	}
	if lists != 14 {
		t.Errorf("%d lists, want 14: %s", lists, b)
	}
}
