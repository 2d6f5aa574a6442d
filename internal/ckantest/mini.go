package ckantest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// MiniPortal is a small CKAN action API whose package_search answers can lie.
type MiniPortal struct {
	Mu        sync.Mutex
	Packages  []string // raw package dicts
	Count     int      // what package_search claims; -1 means len(packages)
	Endless   bool     // every page holds fresh datasets, for ever
	Searches  int
	AuthSeen  []string
	StatusRaw string
}

func (m *MiniPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if a := r.Header.Get("Authorization"); a != "" {
		m.AuthSeen = append(m.AuthSeen, a)
	}
	w.Header().Set("Content-Type", "application/json")
	ok := func(result string) { fmt.Fprintf(w, `{"help":"","success":true,"result":%s}`, result) }
	switch strings.TrimPrefix(r.URL.Path, "/api/3/action/") {
	case "status_show":
		ok(`{"site_title":"Hostile","ckan_version":"2.10.4","extensions":["scheming_datasets"]}`)
	case "organization_list":
		ok(`[]`)
	case "package_search":
		m.Searches++
		q := r.URL.Query()
		rows, _ := strconv.Atoi(q.Get("rows"))
		start, _ := strconv.Atoi(q.Get("start"))
		count := m.Count
		if count < 0 {
			count = len(m.Packages)
		}
		var page []string
		switch {
		case m.Endless:
			for i := range rows {
				page = append(page, fmt.Sprintf(`{"id":"endless-%09d","name":"endless-%09d","title":"x","resources":[]}`, start+i, start+i))
			}
		case start < len(m.Packages):
			page = m.Packages[start:min(len(m.Packages), start+max(rows, 0))]
		}
		if q.Get("fl") == "id" {
			for i, p := range page {
				var x struct{ ID string }
				json.Unmarshal([]byte(p), &x)
				page[i] = `{"id":"` + x.ID + `"}`
			}
		}
		ok(fmt.Sprintf(`{"count":%d,"results":[%s]}`, count, strings.Join(page, ",")))
	case "package_show":
		for _, p := range m.Packages {
			if strings.Contains(p, `"id":"`+r.URL.Query().Get("id")+`"`) {
				ok(p)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"help":"","success":false,"error":{"__type":"Not Found Error","message":"Not found"}}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `"Bad request - Action name not known"`)
	}
}

func MiniPackage(id, title string) string {
	return `{"id":"` + id + `","name":"` + id + `","title":"` + title + `","metadata_modified":"2026-11-01T00:00:00","resources":[{"id":"r-` + id + `","url":"https://files.example/` + id + `.csv","format":"CSV"}]}`
}
