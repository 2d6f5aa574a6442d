package harvester

import (
	"encoding/json"
	"strings"

	"github.com/vigie-audit/vigie"
)

// maxLicences caps a license_list: CKAN's default register has 15 entries,
// the Open Definition's 114; more is not a licence register.
const maxLicences = 2000

// DecodeLicenceList reads CKAN's license_list result: a list of licence
// dicts with od_conformance / osd_conformance (CKAN 2.x) or
// is_okd_compliant / is_osi_compliant (older), and is_generic. Booleans may
// come as strings ("True", "False"), as some portals send them.
func DecodeLicenceList(raw json.RawMessage) ([]vigie.Licence, error) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, vigie.NewError(vigie.KindOther, "harvester.licences_not_list")
	}
	if len(list) > maxLicences {
		list = list[:maxLicences]
	}
	out := make([]vigie.Licence, 0, len(list))
	for _, m := range list {
		l := vigie.Licence{
			ID: cut(jsonString(m["id"]), 200), Title: cut(jsonString(m["title"]), 300), URL: cut(jsonString(m["url"]), 1000),
			ODConformance: cut(jsonString(m["od_conformance"]), 40), OSDConformance: cut(jsonString(m["osd_conformance"]), 40),
			OKDCompliant: jsonBool(m["is_okd_compliant"]), OSICompliant: jsonBool(m["is_osi_compliant"]),
		}
		if g := jsonBool(m["is_generic"]); g != nil {
			l.Generic = *g
		}
		if strings.TrimSpace(l.ID) == "" {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// isLicence tells a license_list entry from a package or an organization.
func isLicence(m map[string]json.RawMessage) bool {
	if _, pkg := m["resources"]; pkg {
		return false
	}
	_, od := m["od_conformance"]
	_, okd := m["is_okd_compliant"]
	return od || okd
}

func jsonString(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	return ""
}

func jsonBool(v json.RawMessage) *bool {
	var b bool
	if json.Unmarshal(v, &b) == nil && len(v) > 0 && string(v) != "null" {
		return &b
	}
	switch strings.ToLower(jsonString(v)) {
	case "true", "yes", "1":
		t := true
		return &t
	case "false", "no", "0":
		f := false
		return &f
	}
	return nil
}
