package ckantest

import (
	"net/http"
	"strconv"
	"sync"
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
