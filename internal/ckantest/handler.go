package ckantest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Handler serves the action API under {base}/api/3/action/<action> (and the
// version-less {base}/api/action/<action>), whatever the base path is.
func (p *Portal) Handler() http.Handler {
	return http.HandlerFunc(p.serveHTTP)
}

func (p *Portal) serveHTTP(w http.ResponseWriter, r *http.Request) {
	action, base, ok := splitActionPath(r.URL.Path)
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Page non trouvée - Données Québec</title></head>"+
			"<body><h1>404 Not Found</h1><p>The requested URL was not found on the server.</p></body></html>\n")
		return
	}
	p.reqMu.Lock()
	p.requests[action]++
	p.reqMu.Unlock()

	p.mu.RLock()
	faults := p.faults
	p.mu.RUnlock()
	for _, f := range faults {
		if f(w, r, action) {
			return
		}
	}

	params, err := requestParams(r)
	if err != nil {
		writeBareString(w, http.StatusBadRequest, "Bad request - JSON Error: "+err.Error())
		return
	}
	c := &call{p: p, w: w, r: r, action: action, params: params,
		help: scheme(r) + "://" + r.Host + base + "/api/3/action/help_show?name=" + action}
	c.authorized = p.opts.Token == "" || tokenOf(r) == p.opts.Token

	switch action {
	case "status_show":
		c.statusShow()
	case "package_search":
		c.packageSearch()
	case "package_show":
		c.packageShow()
	case "package_list":
		c.packageList()
	case "organization_list":
		c.organizationList()
	case "organization_show":
		c.organizationShow()
	case "group_list":
		c.groupList()
	case "license_list":
		c.licenseList()
	default:
		writeBareString(w, http.StatusBadRequest, "Bad request: Action name not known: "+action)
	}
}

// splitActionPath finds "/api/3/action/<name>" in path and returns the name
// and the base path before "/api".
func splitActionPath(path string) (action, base string, ok bool) {
	for _, marker := range []string{"/api/3/action/", "/api/action/"} {
		if i := strings.Index(path, marker); i >= 0 {
			action = path[i+len(marker):]
			if action == "" || strings.Contains(action, "/") {
				return "", "", false
			}
			return action, path[:i], true
		}
	}
	return "", "", false
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func tokenOf(r *http.Request) string {
	t := strings.TrimSpace(r.Header.Get("Authorization"))
	return strings.TrimPrefix(t, "Bearer ")
}

// requestParams merges URL parameters and, for POST, a JSON object body or a
// form body, as CKAN does.
func requestParams(r *http.Request) (url.Values, error) {
	v := r.URL.Query()
	if r.Method != http.MethodPost {
		return v, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return v, nil
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		f, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, vs := range f {
			v[k] = append(v[k], vs...)
		}
		return v, nil
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	for k, x := range m {
		switch t := x.(type) {
		case string:
			v.Set(k, t)
		case nil:
		default:
			b, _ := json.Marshal(t)
			v.Set(k, string(b))
		}
	}
	return v, nil
}

// call is one API request being answered.
type call struct {
	p          *Portal
	w          http.ResponseWriter
	r          *http.Request
	action     string
	params     url.Values
	help       string
	authorized bool
}

// okRaw writes the success envelope around an already encoded result.
func (c *call) okRaw(result []byte) {
	var buf bytes.Buffer
	buf.Grow(len(result) + len(c.help) + 64)
	buf.WriteString(`{"help": `)
	writeJSONString(&buf, c.help)
	buf.WriteString(`, "success": true, "result": `)
	buf.Write(result)
	buf.WriteString("}")
	c.write(http.StatusOK, buf.Bytes())
}

// write sends a JSON body, gzipped when the portal and the client agree.
func (c *call) write(status int, body []byte) {
	h := c.w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	if c.p.opts.Gzip && strings.Contains(c.r.Header.Get("Accept-Encoding"), "gzip") {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		h.Set("Content-Encoding", "gzip")
		h.Set("Vary", "Accept-Encoding")
		body = z.Bytes()
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	c.w.Write(body)
}

func (c *call) ok(result any) {
	b, err := marshal(result)
	if err != nil {
		c.fail(http.StatusInternalServerError, "Internal Server Error", err.Error(), nil)
		return
	}
	c.okRaw(b)
}

// fail writes CKAN's error envelope. extra keys go into the error dict
// (validation errors map field names to message lists).
func (c *call) fail(status int, typ, message string, extra map[string]any) {
	e := map[string]any{"__type": typ}
	if message != "" {
		e["message"] = message
	}
	for k, v := range extra {
		e[k] = v
	}
	b, _ := marshal(map[string]any{"help": c.help, "success": false, "error": e})
	c.write(status, b)
}

func (c *call) notFound(msg string) { c.fail(http.StatusNotFound, "Not Found Error", msg, nil) }

func (c *call) validation(field, msg string) {
	c.fail(http.StatusConflict, "Validation Error", "", map[string]any{field: []string{msg}})
}

// intParam reads a natural number parameter; def when absent.
func (c *call) intParam(name string, def int) (int, bool) {
	s := c.params.Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		c.validation(name, "Invalid integer")
		return 0, false
	}
	if n < 0 {
		c.validation(name, "Must be a natural number")
		return 0, false
	}
	return n, true
}

func (c *call) boolParam(name string) bool {
	switch strings.ToLower(strings.TrimSpace(c.params.Get(name))) {
	case "true", "yes", "on", "y", "t", "1":
		return true
	}
	return false
}

func writeBareString(w http.ResponseWriter, status int, s string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	b, _ := marshal(s)
	w.Write(b)
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := marshal(s)
	buf.Write(b)
}

func (c *call) statusShow() {
	exts := []string{"stats", "text_view", "image_view", "datastore", "datapusher", "scheming_datasets",
		"scheming_organizations", "fluent", "dcat", "spatial_metadata", "spatial_query", "activity", "donneesqc"}
	site := scheme(c.r) + "://" + c.r.Host
	if base := strings.TrimSuffix(c.help[len(site):], "/api/3/action/help_show?name="+c.action); base != "" {
		site += base
	}
	st := map[string]any{
		"site_title":       c.p.opts.SiteTitle,
		"site_description": "",
		"site_url":         site,
		"error_emails_to":  nil,
		"locale_default":   "fr",
		"extensions":       exts,
		"ckan_version":     c.p.opts.CKANVersion,
	}
	if c.p.opts.HideVersion {
		delete(st, "ckan_version")
	}
	c.ok(st)
}

// visible reports whether the caller may read e with package_show: active
// datasets, and private ones when no token is configured or it was sent.
func (c *call) visible(e *entry) bool {
	if e.state != "active" {
		return false
	}
	return !e.private || c.authorized
}

// privileged reports whether the caller sent the configured token.
func (c *call) privileged() bool { return c.p.opts.Token != "" && c.authorized }

func (c *call) packageShow() {
	id := c.params.Get("id")
	if id == "" {
		id = c.params.Get("name_or_id")
	}
	if id == "" {
		c.validation("name_or_id", "Missing value")
		return
	}
	c.p.mu.RLock()
	e := c.p.lookupLocked(id)
	c.p.mu.RUnlock()
	if e == nil {
		c.notFound("Not found")
		return
	}
	if !c.visible(e) {
		c.fail(http.StatusForbidden, "Authorization Error",
			fmt.Sprintf("User  not authorized to read package %s", e.id), nil)
		return
	}
	c.okRaw(e.json())
}

func (c *call) packageList() {
	limit, ok := c.intParam("limit", -1)
	if !ok {
		return
	}
	offset, ok := c.intParam("offset", 0)
	if !ok {
		return
	}
	c.p.mu.RLock()
	names := make([]string, 0, len(c.p.byID))
	for _, e := range c.p.byID {
		if e.state == "active" && !e.private {
			names = append(names, e.name)
		}
	}
	c.p.mu.RUnlock()
	sort.Strings(names)
	names = window(names, offset, limit)
	c.ok(names)
}

func window[T any](l []T, offset, limit int) []T {
	if offset >= len(l) {
		return []T{}
	}
	l = l[offset:]
	if limit >= 0 && limit < len(l) {
		l = l[:limit]
	}
	return l
}
