package harvester

import (
	"testing"
)

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
