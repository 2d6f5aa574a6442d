package harvester

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

func fixture(t *testing.T, rel string) string {
	t.Helper()
	return filepath.Join("..", "testdata", "real", rel)
}

func decodeFile(t *testing.T, rel string) vigie.Dataset {
	t.Helper()
	b, err := os.ReadFile(fixture(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	raw := json.RawMessage(b)
	if json.Unmarshal(b, &env) == nil && len(env.Result) > 0 {
		raw = env.Result
	}
	d, err := DecodePackage(raw)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return d
}

func TestDecodeDonneesQuebecShapes(t *testing.T) {
	d := decodeFile(t, "donneesquebec.ca/NOT_API_esri2ckan_package_create_input_shawinigan_2019.json")
	if d.ID != d.Name || d.Name != "14ffc954a3e94ffaa2e20d0665f16a16_0" {
		t.Fatalf("package without id not keyed by name: %q %q", d.ID, d.Name)
	}
	for _, k := range []string{"update_frequency", "ext_spatial", "language", "methodologie", "extras_organisation_principale"} {
		if _, ok := d.Extras[k]; !ok {
			t.Errorf("custom field %s not kept in Extras: %v", k, d.Extras)
		}
	}
	if store.Frequency(&d) == "" || store.Frequency(&d) != d.Extras["update_frequency"] {
		t.Errorf("frequency: %q", store.Frequency(&d))
	}
	if d.Organization != "" {
		t.Errorf("blank organization should stay empty, got %q", d.Organization)
	}
	if len(d.Resources) == 0 {
		t.Fatal("no resources")
	}
	r := d.Resources[0]
	if r.ResourceType == "" {
		t.Errorf("resource_type lost: %+v", r)
	}
	relidi := 0
	for k := range r.Extras {
		if strings.HasPrefix(k, "relidi_") {
			relidi++
		}
	}
	if _, ok := d.Extras["temporal"]; ok {
		t.Error("empty custom field kept") // "temporal": "" in this file
	}
	if relidi == 0 {
		t.Errorf("relidi_* fields not in resource extras: %v", r.Extras)
	}
}

func TestDecodeMultilingualAndNulls(t *testing.T) {
	d := decodeFile(t, "opendata.swiss/package_show_reisen-der-schweizer-wohnbevolkerung-2019.json")
	// {"fr": "Voyages…", "de": "Reisen…", "en": "", "it": ""}
	if d.Title != "Voyages de la population résidante suisse en 2019" || d.TitleEN != "" {
		t.Fatalf("multilingual title: %q / %q", d.Title, d.TitleEN)
	}
	if d.LicenseID != "" {
		t.Errorf("null licence should be empty, got %q", d.LicenseID)
	}
	if d.Organization == "" || d.OrganizationTitle != "Office fédéral de la statistique OFS" {
		t.Errorf("organization: %q %q", d.Organization, d.OrganizationTitle)
	}
	c := decodeFile(t, "open.canada.ca/package_show_fuel-consumption-ratings_2023-08.json")
	if c.Title == "" || c.TitleEN == "" || c.Title == c.TitleEN {
		t.Fatalf("title_translated: %q / %q", c.Title, c.TitleEN)
	}
	if c.MetadataModified.IsZero() || c.MetadataModified.Location() != time.UTC {
		t.Errorf("naive timestamp not read as UTC: %v", c.MetadataModified)
	}
}

func TestDecodeExtrasListValuesAndSizes(t *testing.T) {
	raw := `{"id":"x","name":"x","title":{"fr":"Titre","en":"Title"},"organization":null,"license_id":null,
	"metadata_modified":"2024-05-01T10:20:30.123456","extras":[{"key":"tags","value":["a","b"]},{"key":"flag","value":true},{"key":"n","value":null}],
	"update_frequency":"monthly","spatial_data":{"type":"Point"},"num_resources":2,"tracking_summary":{"total":3},
	"resources":[{"id":"r1","url":" https://e.org/a.csv ","format":"CSV","size":"1234","taille_entier":12,"relidi_confic":"oui","package_id":"x"},
	{"id":"r2","url":"https://e.org/b","size":"None"},{"id":"r3","size":null},{"id":"r4","size":56.0,"last_modified":"2024-01-02"}]}`
	d, err := DecodePackage(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"tags": `["a","b"]`, "flag": "true", "update_frequency": "monthly", "spatial_data": `{"type":"Point"}`}
	for k, v := range want {
		if d.Extras[k] != v {
			t.Errorf("extra %s = %q, want %q", k, d.Extras[k], v)
		}
	}
	for _, k := range []string{"n", "num_resources", "tracking_summary"} {
		if _, ok := d.Extras[k]; ok {
			t.Errorf("%s should not be an extra", k)
		}
	}
	if d.Title != "Titre" || d.TitleEN != "Title" || d.Organization != "" || d.LicenseID != "" {
		t.Errorf("dataset: %+v", d)
	}
	if got := d.MetadataModified; got != time.Date(2024, 5, 1, 10, 20, 30, 123456000, time.UTC) {
		t.Errorf("metadata_modified %v", got)
	}
	sizes := []*int64{d.Resources[0].Size, d.Resources[1].Size, d.Resources[2].Size, d.Resources[3].Size}
	if sizes[0] == nil || *sizes[0] != 1234 || sizes[1] != nil || sizes[2] != nil || sizes[3] == nil || *sizes[3] != 56 {
		t.Errorf("sizes: %v", sizes)
	}
	r := d.Resources[0]
	if r.URL != "https://e.org/a.csv" || r.Extras["taille_entier"] != "12" || r.Extras["relidi_confic"] != "oui" || r.Extras["package_id"] != "" {
		t.Errorf("resource: %+v", r)
	}
	if d.Resources[3].LastModified == nil || d.Resources[3].LastModified.Day() != 2 {
		t.Errorf("date-only last_modified: %v", d.Resources[3].LastModified)
	}
	if _, err := DecodePackage(json.RawMessage(`{"title":"no id"}`)); err == nil {
		t.Error("package without id or name accepted")
	}
	if _, err := DecodePackage(json.RawMessage(`"just a name"`)); err == nil {
		t.Error("a string accepted as a package")
	}
}

// TestDecodeLanguagesEveryWay reads titles, notes and keywords in every
// multilingual shape real portals use: *_translated (open.canada.ca), {lang:
// text} dicts and keywords {lang: [words]} (opendata.swiss), the older
// title_fr / title_en pairs, and DCAT-style multilingual descriptions.
func TestDecodeLanguagesEveryWay(t *testing.T) {
	c := decodeFile(t, "open.canada.ca/package_show_fuel-consumption-ratings_2023-08.json")
	if c.Title != "Cotes de consommation de carburant" || c.TitleEN != "Fuel consumption ratings" || c.TitleIn("en") != "Fuel consumption ratings" {
		t.Errorf("open.canada title %q / %q", c.Title, c.TitleEN)
	}
	if !strings.HasPrefix(c.Notes, "Les ensembles de données fournissent") {
		t.Errorf("open.canada notes not French: %.60q", c.Notes)
	}
	// tags is [] there: the keywords dict fills it, French first, each once.
	if len(c.Tags) != 12 || c.Tags[0] != "efficacité énergétique" || c.Tags[6] != "Energy Efficiency" {
		t.Errorf("open.canada keywords as tags: %q", c.Tags)
	}
	s := decodeFile(t, "opendata.swiss/package_show_reisen-der-schweizer-wohnbevolkerung-2019.json")
	if s.TitleIn("en") != s.Title || s.Title != "Voyages de la population résidante suisse en 2019" {
		t.Errorf("opendata.swiss has no English title: --lang en shows %q", s.TitleIn("en"))
	}
	if len(s.Tags) == 0 {
		t.Error("opendata.swiss tags lost")
	}
	for _, c := range []struct {
		raw, title, titleEN, notes string
		tags                       []string
	}{
		{`{"id":"a","title_fr":"Titre","title_en":"Title","notes_fr":"Description","notes_en":"Description EN"}`, "Titre", "Title", "Description", nil},
		{`{"id":"b","title":"Plain","title_en":"English"}`, "Plain", "English", "", nil},
		{`{"id":"c","title":"Plain","title_fr":"Français"}`, "Français", "", "", nil},
		{`{"id":"d","title":{"FR":"Titre","En":"Title"},"description":{"fr":"Desc","de":"Beschr"}}`, "Titre", "Title", "Desc", nil},
		{`{"id":"e","title":"T","keywords":{"de":["Verkehr"],"en":["Traffic","traffic"],"fr":["Circulation"]}}`, "T", "", "", []string{"Circulation", "Traffic", "Verkehr"}},
		{`{"id":"f","title":"T","keywords":["Un","Deux"],"tags":[{"name":"Tag"}]}`, "T", "", "", []string{"Tag"}},
		{`{"id":"g","title":"T","notes":"N","description":"a plain description field stays an extra"}`, "T", "", "N", nil},
	} {
		d, err := DecodePackage(json.RawMessage(c.raw))
		if err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		if d.Title != c.title || d.TitleEN != c.titleEN || d.Notes != c.notes {
			t.Errorf("%s: title %q / %q, notes %q", c.raw, d.Title, d.TitleEN, d.Notes)
		}
		if c.tags != nil && strings.Join(d.Tags, "|") != strings.Join(c.tags, "|") {
			t.Errorf("%s: tags %q, want %q", c.raw, d.Tags, c.tags)
		}
	}
}
