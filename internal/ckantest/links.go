package ckantest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// LinkOptions configures a LinkServer.
type LinkOptions struct {
	Latency     time.Duration // added before every answer
	BrokenShare float64       // share of plain /files/ paths answered 404 or 500, chosen by a hash of the path and Seed
	Seed        int64
}

// LinkServer answers the resource URLs of a generated catalogue. Paths under
// /files/ behave as follows (everything after the prefix is free):
//
//	/files/<name>.<ext>          200, Content-Type from the extension, a small body
//	                             (unless picked by BrokenShare: then 404 or 500)
//	/files/404/…, /410/…, /403/…, /500/…   that status
//	/files/html/…                200 text/html landing page, whatever the extension
//	/files/redirect/N/<rest>     302 to /files/redirect/N-1/<rest>, … then /files/<rest>
//	/files/nohead/…              405 to HEAD, 200 to GET
//	/files/empty/…               200 with an empty body
//	/files/slow/…                200 after a further 2 s (or until the client gives up)
//	/files/norange/…             200 full body even when a Range is asked
//
// HEAD gets headers only; a GET with "Range: bytes=a-b" gets 206 and the
// slice (416 when the range starts past the end). Other paths are 404.
type LinkServer struct {
	opts     LinkOptions
	requests atomic.Int64
}

// NewLinkServer returns a link target handler; serve it with Serve or mount Handler.
func NewLinkServer(opts LinkOptions) *LinkServer { return &LinkServer{opts: opts} }

// Serve starts a loopback server; pass its URL as GenOptions.LinkBase.
func (l *LinkServer) Serve() *httptest.Server { return httptest.NewServer(l) }

// Handler returns l as an http.Handler.
func (l *LinkServer) Handler() http.Handler { return l }

// Requests returns how many requests the server has received.
func (l *LinkServer) Requests() int { return int(l.requests.Load()) }

var extMime = map[string]string{
	".csv": "text/csv; charset=utf-8", ".json": "application/json", ".geojson": "application/geo+json",
	".xml": "application/xml", ".zip": "application/zip", ".pdf": "application/pdf", ".kml": "application/vnd.google-earth.kml+xml",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".gpkg": "application/geopackage+sqlite3",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".html": "text/html; charset=utf-8",
}

func (l *LinkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.requests.Add(1)
	if l.opts.Latency > 0 && !sleepCtx(r, l.opts.Latency) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/files/")
	if !ok || rest == "" {
		http.NotFound(w, r)
		return
	}
	first, after, _ := strings.Cut(rest, "/")
	switch first {
	case "404", "410", "403", "500", "503":
		code, _ := strconv.Atoi(first)
		l.status(w, code)
		return
	case "html":
		l.body(w, r, "text/html; charset=utf-8", landingPage(after), true)
		return
	case "redirect":
		n, tail, _ := strings.Cut(after, "/")
		k, err := strconv.Atoi(n)
		target := "/files/" + tail
		if err == nil && k > 1 {
			target = fmt.Sprintf("/files/redirect/%d/%s", k-1, tail)
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	case "nohead":
		if r.Method == http.MethodHead {
			l.status(w, http.StatusMethodNotAllowed)
			return
		}
		rest = after
	case "empty":
		l.body(w, r, mimeOf(after), nil, true)
		return
	case "slow":
		if !sleepCtx(r, 2*time.Second) {
			return
		}
		rest = after
	case "norange":
		l.body(w, r, mimeOf(after), fileBody(after), false)
		return
	}
	if l.opts.BrokenShare > 0 {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d:%s", l.opts.Seed, rest)
		x := h.Sum64()
		if float64(x%1_000_000)/1_000_000 < l.opts.BrokenShare {
			if x%2 == 0 {
				l.status(w, http.StatusNotFound)
			} else {
				l.status(w, http.StatusInternalServerError)
			}
			return
		}
	}
	l.body(w, r, mimeOf(rest), fileBody(rest), true)
}

func sleepCtx(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func mimeOf(p string) string {
	if m, ok := extMime[strings.ToLower(path.Ext(p))]; ok {
		return m
	}
	return "application/octet-stream"
}

func fileBody(p string) []byte {
	switch strings.ToLower(path.Ext(p)) {
	case ".csv":
		return []byte("id,nom,date,latitude,longitude\n1,Exemple,2024-05-01,45.5017,-73.5673\n2,Autre,2024-05-02,46.8139,-71.2080\n")
	case ".json", ".geojson":
		return []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"nom":"Exemple"},"geometry":{"type":"Point","coordinates":[-73.5673,45.5017]}}]}` + "\n")
	case ".xml", ".kml":
		return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<donnees><item id=\"1\">Exemple</item></donnees>\n")
	case ".pdf":
		return []byte("%PDF-1.4\n% exemple\n%%EOF\n")
	case ".zip", ".xlsx", ".docx":
		return []byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	}
	return []byte("exemple de contenu\n")
}

func landingPage(p string) []byte {
	return []byte("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Données ouvertes</title></head>" +
		"<body><h1>Données ouvertes</h1><p>Consultez la page du jeu de données pour télécharger " +
		path.Base(p) + ".</p></body></html>\n")
}

func (l *LinkServer) status(w http.ResponseWriter, code int) {
	body := fmt.Sprintf("<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n",
		code, http.StatusText(code), http.StatusText(code))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write([]byte(body))
}

// body answers 200, or 206/416 for a Range request when ranges is true.
func (l *LinkServer) body(w http.ResponseWriter, r *http.Request, ctype string, b []byte, ranges bool) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Last-Modified", "Mon, 02 Jun 2025 14:00:00 GMT")
	h.Set("ETag", fmt.Sprintf(`"%x"`, fnv64(b)))
	if ranges {
		h.Set("Accept-Ranges", "bytes")
	}
	status := http.StatusOK
	if rg := r.Header.Get("Range"); ranges && rg != "" && r.Method == http.MethodGet {
		start, end, ok := parseRange(rg, len(b))
		if !ok {
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", len(b)))
			h.Set("Content-Length", "0")
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(b)))
		b = b[start : end+1]
		status = http.StatusPartialContent
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

func parseRange(s string, size int) (start, end int, ok bool) {
	spec, found := strings.CutPrefix(s, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(spec, "-")
	var err error
	if a == "" { // suffix range
		n, err := strconv.Atoi(b)
		if err != nil || n <= 0 || size == 0 {
			return 0, 0, false
		}
		if n > size {
			n = size
		}
		return size - n, size - 1, true
	}
	if start, err = strconv.Atoi(a); err != nil || start >= size {
		return 0, 0, false
	}
	end = size - 1
	if b != "" {
		if end, err = strconv.Atoi(b); err != nil || end < start {
			return 0, 0, false
		}
		if end >= size {
			end = size - 1
		}
	}
	return start, end, true
}

func fnv64(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
