package ckantest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// LoadFile reads package dicts from a saved file: a package_show envelope, a
// package_search envelope, a bare JSON list of package dicts, a bare package
// dict, or JSON lines (a ckanapi dump, one package per line). Files that hold
// no packages (package_list, organization_show, a scheming schema…) give an
// error that says what the file is.
func LoadFile(path string) ([]map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pkgs, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pkgs, nil
}

// ErrNoPackages is wrapped by Load's error when the payload is valid JSON
// but holds no package dicts.
var ErrNoPackages = errors.New("no CKAN package dicts")

// Load reads package dicts from r; see LoadFile for the accepted shapes.
func Load(r io.Reader) ([]map[string]any, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if dec.More() { // JSON lines: every value is a package dict
		var pkgs []map[string]any
		line := 1
		raw := first
		for {
			var pkg map[string]any
			if err := json.Unmarshal(raw, &pkg); err != nil || !isPackage(pkg) {
				return nil, fmt.Errorf("JSON lines: value %d is not a package dict", line)
			}
			pkgs = append(pkgs, normalizeNumbers(pkg).(map[string]any))
			if !dec.More() {
				break
			}
			raw = nil
			if err := dec.Decode(&raw); err != nil {
				return nil, fmt.Errorf("JSON lines: value %d: %w", line+1, err)
			}
			line++
		}
		return pkgs, nil
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(first))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	v = normalizeNumbers(v)
	switch t := v.(type) {
	case []any:
		return packageList(t, "JSON list")
	case map[string]any:
		if _, ok := t["scheming_version"]; ok {
			return nil, fmt.Errorf("a ckanext-scheming schema: %w", ErrNoPackages)
		}
		if isPackage(t) {
			return []map[string]any{t}, nil
		}
		succ, hasSucc := t["success"]
		if !hasSucc {
			return nil, fmt.Errorf("JSON object without the CKAN envelope: %w", ErrNoPackages)
		}
		if succ != true {
			return nil, fmt.Errorf("a CKAN error response (success is not true): %w", ErrNoPackages)
		}
		switch res := t["result"].(type) {
		case map[string]any:
			if results, ok := res["results"].([]any); ok {
				return packageList(results, "package_search result")
			}
			if isPackage(res) {
				return []map[string]any{res}, nil
			}
			if res["is_organization"] == true || res["type"] == "organization" {
				return nil, fmt.Errorf("an organization_show result: %w", ErrNoPackages)
			}
			return nil, fmt.Errorf("a result object that is not a package: %w", ErrNoPackages)
		case []any:
			if len(res) > 0 {
				if _, ok := res[0].(string); ok {
					return nil, fmt.Errorf("a list of names (package_list or organization_list): %w", ErrNoPackages)
				}
				if m, ok := res[0].(map[string]any); ok && !isPackage(m) {
					return nil, fmt.Errorf("a list of non-package dicts (organization_list?): %w", ErrNoPackages)
				}
			}
			return packageList(res, "result list")
		default:
			return nil, fmt.Errorf("result is neither a package nor a list: %w", ErrNoPackages)
		}
	default:
		return nil, fmt.Errorf("a JSON value that is neither object nor list: %w", ErrNoPackages)
	}
}

func packageList(l []any, what string) ([]map[string]any, error) {
	out := make([]map[string]any, 0, len(l))
	for i, x := range l {
		m, ok := x.(map[string]any)
		if !ok || !isPackage(m) {
			return nil, fmt.Errorf("%s: item %d is not a package dict: %w", what, i, ErrNoPackages)
		}
		out = append(out, m)
	}
	return out, nil
}

// isPackage tells a CKAN package dict from other dicts.
func isPackage(m map[string]any) bool {
	if m == nil || m["is_organization"] == true {
		return false
	}
	if str(m["id"]) == "" && str(m["name"]) == "" {
		return false
	}
	for _, k := range []string{"resources", "num_resources", "metadata_modified", "owner_org"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return m["type"] == "dataset"
}

// normalizeNumbers turns json.Number into int64 when integral, else float64,
// so loaded payloads re-encode as they were.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, x := range t {
			t[k] = normalizeNumbers(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = normalizeNumbers(x)
		}
		return t
	}
	return v
}

// LoadLicences reads a saved license_list answer: the action API envelope
// or the bare list of licence dicts.
func LoadLicences(path string) ([]map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var env struct {
		Success *bool           `json:"success"`
		Result  json.RawMessage `json:"result"`
	}
	raw := bytes.TrimSpace(b)
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &env); err != nil || env.Success == nil || !*env.Success {
			return nil, fmt.Errorf("%s: not a successful license_list answer", path)
		}
		raw = env.Result
	}
	var ls []map[string]any
	if err := json.Unmarshal(raw, &ls); err != nil {
		return nil, fmt.Errorf("%s: license_list result is not a list of licence dicts", path)
	}
	for i, l := range ls {
		if id, _ := l["id"].(string); id == "" {
			return nil, fmt.Errorf("%s: licence %d has no id", path, i+1)
		}
	}
	return ls, nil
}
