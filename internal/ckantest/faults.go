package ckantest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// FailTimes returns a fault that answers the first n calls of action ("" =
// any action) with status, contentType, body and the extra header (for
// example Retry-After), then lets calls through.
func FailTimes(action string, n int, status int, contentType, body string, header http.Header) Fault {
	var mu sync.Mutex
	seen := 0
	return func(w http.ResponseWriter, r *http.Request, a string) bool {
		if action != "" && a != action {
			return false
		}
		mu.Lock()
		seen++
		fire := seen <= n
		mu.Unlock()
		if !fire {
			return false
		}
		for k, vs := range header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write([]byte(body))
		return true
	}
}

// Ready-made fault bodies.
const (
	// HTMLBadGateway is what a reverse proxy sends when CKAN is down.
	HTMLBadGateway = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	// TruncatedJSON is a success envelope cut short, as a dropped connection leaves it.
	TruncatedJSON = `{"help": "https://example.org/api/3/action/help_show?name=package_search", "success": true, "result": {"count": 3, "results": [{"id": "`
	// SearchErrorJSON is CKAN's answer when Solr fails (409, transient).
	SearchErrorJSON = `{"help": "https://example.org/api/3/action/help_show?name=package_search", "success": false, "error": {"__type": "Search Error", "message": "Search error: ('SOLR returned an error running query: timed out',)"}}`
)

// TooManyRequests returns a fault answering the first n calls of action with
// 429 and a Retry-After header in seconds.
func TooManyRequests(action string, n int, retryAfter time.Duration) Fault {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	return FailTimes(action, n, http.StatusTooManyRequests, "text/plain; charset=utf-8", "Too Many Requests\n", h)
}

// Latency returns a fault that delays every call of action ("" = any) by d
// and then lets it through.
func Latency(action string, d time.Duration) Fault {
	return func(w http.ResponseWriter, r *http.Request, a string) bool {
		if action == "" || a == action {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
		return false
	}
}

// When returns a fault that runs f only for requests where cond holds, for
// example a given start offset: When(func(r) bool { return r.URL.Query().Get("start") == "2000" }, f).
func When(cond func(r *http.Request, action string) bool, f Fault) Fault {
	return func(w http.ResponseWriter, r *http.Request, a string) bool {
		if !cond(r, a) {
			return false
		}
		return f(w, r, a)
	}
}

// Hook returns a fault that calls fn (for example to edit or delete datasets
// mid-harvest) on the k-th call of action, then lets that call through.
func Hook(action string, k int, fn func()) Fault {
	var mu sync.Mutex
	seen := 0
	return func(w http.ResponseWriter, r *http.Request, a string) bool {
		if action != "" && a != action {
			return false
		}
		mu.Lock()
		seen++
		fire := seen == k
		mu.Unlock()
		if fire {
			fn()
		}
		return false
	}
}

// writeResult answers with CKAN's success envelope around result.
func writeResult(w http.ResponseWriter, action string, result any) {
	b, _ := json.Marshal(map[string]any{"help": "http://ckan.example/api/3/action/help_show?name=" + action, "success": true, "result": result})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write(b)
}

// CyclingPages returns a fault for package_search that claims count
// datasets but serves at most perPage results a page, cycling among
// distinct datasets whatever start says: a portal whose search index
// repeats a few pages for ever. A rows=0 call gets the count alone.
func CyclingPages(count, distinct, perPage int) Fault {
	return func(w http.ResponseWriter, r *http.Request, action string) bool {
		if action != "package_search" {
			return false
		}
		q := r.URL.Query()
		rows, err := strconv.Atoi(q.Get("rows"))
		if err != nil {
			rows = 10
		}
		start, _ := strconv.Atoi(q.Get("start"))
		results := []map[string]any{}
		for i := range min(rows, perPage) {
			n := (start + i) % distinct
			id := fmt.Sprintf("cycle-%04d", n)
			d := map[string]any{"id": id}
			if q.Get("fl") == "" {
				d = map[string]any{"id": id, "name": id, "title": "Jeu " + id, "state": "active", "private": false,
					"metadata_modified": "2026-11-01T00:00:00.000000", "resources": []any{}}
			}
			results = append(results, d)
		}
		writeResult(w, action, map[string]any{"count": count, "results": results})
		return true
	}
}

// EndlessOrganizations returns a fault for organization_list that answers
// every page, whatever its offset, with limit organizations never listed
// before: a portal that invents names for ever. Calls counts the calls.
func EndlessOrganizations(calls *atomic.Int64) Fault {
	var next atomic.Int64
	return func(w http.ResponseWriter, r *http.Request, action string) bool {
		if action != "organization_list" {
			return false
		}
		if calls != nil {
			calls.Add(1)
		}
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit <= 0 || limit > orgListAllFieldsMax {
			limit = orgListAllFieldsMax
		}
		orgs := []map[string]any{}
		for range limit {
			n := next.Add(1)
			name := fmt.Sprintf("org-%08d", n)
			orgs = append(orgs, map[string]any{"id": "id-" + name, "name": name, "title": "Org " + name,
				"is_organization": true, "type": "organization", "package_count": 0})
		}
		writeResult(w, action, orgs)
		return true
	}
}
