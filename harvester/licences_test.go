package harvester

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// The portal's licence register is harvested and stored; what it declares
// survives a later harvest that cannot read it.
func TestHarvestStoresLicenceRegister(t *testing.T) {
	p, srv := portalWith(t, 20, 100)
	p.SetLicences([]map[string]any{
		{"id": "hdx-odc-odbl", "title": "Open Database License (ODC-ODbL)", "url": "", "od_conformance": "not reviewed",
			"osd_conformance": "not reviewed", "is_okd_compliant": false, "is_osi_compliant": false, "is_generic": "False"},
		{"id": "other-pd-nr", "title": "Public Domain / No Restrictions", "is_generic": "True", "is_okd_compliant": true},
		{"id": "cc-by", "title": "Creative Commons Attribution", "od_conformance": "approved"},
	})
	db, _ := openStore(t)
	res, err := harvestOnce(t, db, srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Licences != 3 {
		t.Errorf("Licences = %d, want 3", res.Licences)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	reg, err := db.PortalLicences(context.Background(), portal.ID)
	if err != nil {
		t.Fatal(err)
	}
	pd := reg["other-pd-nr"]
	if len(reg) != 3 || !pd.Generic || pd.OKDCompliant == nil || !*pd.OKDCompliant || reg["cc-by"].ODConformance != "approved" ||
		reg["hdx-odc-odbl"].OKDCompliant == nil || *reg["hdx-odc-odbl"].OKDCompliant || reg["hdx-odc-odbl"].Title != "Open Database License (ODC-ODbL)" {
		t.Errorf("stored register: %+v", reg)
	}

	// license_list now answers 404 (as portals that disable it do): the
	// harvest succeeds and the register read before is kept.
	p.Inject(ckantest.FailTimes("license_list", 1000, http.StatusNotFound, "application/json",
		`{"success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}`, nil))
	res, err = harvestOnce(t, db, srv.URL, Options{Full: true})
	if err != nil {
		t.Fatalf("a portal without license_list must still harvest: %v", err)
	}
	if res.Licences != 0 || res.Fetched != 20 {
		t.Errorf("after 404: licences %d fetched %d", res.Licences, res.Fetched)
	}
	if reg, _ := db.PortalLicences(context.Background(), portal.ID); len(reg) != 3 {
		t.Errorf("register lost after a 404: %d entries", len(reg))
	}
}

// A portal that never had license_list (403, an HTML page) harvests and has
// no register.
func TestHarvestWithoutLicenceList(t *testing.T) {
	for _, c := range []struct {
		status      int
		ctype, body string
	}{
		{http.StatusForbidden, "application/json", `{"success": false, "error": {"__type": "Authorization Error", "message": "Access denied"}}`},
		{http.StatusNotFound, "text/html", `<html><title>Not found</title></html>`},
		{http.StatusOK, "application/json", `{"success": true, "result": {"not": "a list"}}`},
	} {
		p, srv := portalWith(t, 5, 100)
		p.Inject(ckantest.FailTimes("license_list", 1000, c.status, c.ctype, c.body, nil))
		db, _ := openStore(t)
		res, err := harvestOnce(t, db, srv.URL, Options{})
		if err != nil {
			t.Fatalf("HTTP %d on license_list: %v", c.status, err)
		}
		portal, _ := db.Portal(context.Background(), srv.URL)
		reg, _ := db.PortalLicences(context.Background(), portal.ID)
		if res.Licences != 0 || reg != nil || res.Fetched != 5 {
			t.Errorf("HTTP %d: licences %d, register %v, fetched %d", c.status, res.Licences, reg, res.Fetched)
		}
	}
}

// A saved license_list answer imports as the portal's register.
func TestImportLicenceList(t *testing.T) {
	db, portal := openStore(t)
	path := filepath.Join(t.TempDir(), "license_list.json")
	body := `{"help": "", "success": true, "result": [
	 {"id": "hdx-pddl", "title": "Open Data Commons Public Domain Dedication and License (PDDL)", "od_conformance": "not reviewed", "is_okd_compliant": false},
	 {"id": "cc-by", "title": "Creative Commons Attribution", "od_conformance": "approved", "is_generic": "False"}]}`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Import(context.Background(), db, portal, path, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := db.PortalLicences(context.Background(), portal.ID)
	if res.Licences != 2 || len(reg) != 2 || reg["cc-by"].ODConformance != "approved" || reg["cc-by"].Generic {
		t.Errorf("import: %d licences, register %+v", res.Licences, reg)
	}
}

func TestDecodeLicenceList(t *testing.T) {
	ls, err := DecodeLicenceList([]byte(`[{"id": " x ", "is_generic": "True", "is_okd_compliant": "False", "is_osi_compliant": null},
		{"id": ""}, {"title": "no id"}, {"id": "y", "is_generic": true, "od_conformance": "approved"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].ID != "x" || !ls[0].Generic || ls[0].OKDCompliant == nil || *ls[0].OKDCompliant || ls[0].OSICompliant != nil ||
		ls[1].ODConformance != "approved" || !ls[1].Generic {
		t.Errorf("decoded %+v", ls)
	}
	if _, err := DecodeLicenceList([]byte(`{"a": 1}`)); err == nil {
		t.Error("an object is not a licence list")
	}
}
