package ckantest

import (
	"encoding/json"
	"testing"
)

// license_list answers as CKAN 2.x does: the open licences approved for the
// Open Definition, the non-commercial and no-derivatives ones rejected; a
// portal given its own register serves that one.
func TestLicenseList(t *testing.T) {
	p := New(Options{})
	srv := p.Serve()
	defer srv.Close()
	var ls []map[string]any
	r := get(t, srv.URL, "license_list", nil, nil)
	if err := json.Unmarshal(r.env.Result, &ls); err != nil || !r.env.Success {
		t.Fatalf("license_list: %v %s", err, r.body)
	}
	od := map[string]string{}
	for _, l := range ls {
		od[l["id"].(string)] = l["od_conformance"].(string)
		if _, ok := l["is_generic"]; !ok {
			t.Errorf("%v lacks is_generic", l["id"])
		}
	}
	if od["cc-by"] != "approved" || od["CC0-1.0"] != "approved" || od["cc-by-nc"] != "rejected" || od["cc-by-nd"] != "rejected" {
		t.Errorf("od_conformance: %v", od)
	}
	p.SetLicences([]map[string]any{{"id": "hdx-odc-odbl", "od_conformance": "not reviewed"}})
	r = get(t, srv.URL, "license_list", nil, nil)
	if err := json.Unmarshal(r.env.Result, &ls); err != nil || len(ls) != 1 || ls[0]["id"] != "hdx-odc-odbl" {
		t.Errorf("custom register: %s", r.body)
	}
}
