package reports

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/jsonstr"
)

// The datasets of audit.json and of audit.html's script (100,000 lines each
// at 100,000 datasets) are encoded here rather than by json.Marshal, which
// found each field by reflection and copied each line out of its own
// buffer: 1.7 s and 0.6 s of the night-2 audit's CPU. appendDatasetJSON and
// appendHTMLRow write the same bytes as json.Marshal, field for field
// (jsondataset_test.go compares them on generated and fuzzed datasets, and
// fails when a field is added to Dataset or Finding without being added
// here).

// appendDatasetJSON appends d as json.Marshal(d) writes it.
func appendDatasetJSON(b []byte, d *Dataset) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendJSONString(b, d.ID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, d.Name)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, d.Title)
	b = append(b, `,"organization":`...)
	b = appendJSONString(b, d.Organization)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, d.URL)
	b = append(b, `,"scores":{"overall":`...)
	s := d.Scores
	for i, v := range [5]*float64{s.Overall, s.Completeness, s.Freshness, s.Openness, s.Availability} {
		if i > 0 {
			b = append(b, scoreKeys[i]...)
		}
		if v == nil {
			b = append(b, "null"...)
		} else if b, err = appendJSONFloat(b, *v); err != nil {
			return nil, err
		}
	}
	b = append(b, `},"mqa":{"points":`...)
	b = strconv.AppendInt(b, int64(d.MQA.Points), 10)
	b = append(b, `,"rating":`...)
	b = appendJSONString(b, string(d.MQA.Rating))
	b = append(b, `},"freshness_status":`...)
	b = appendJSONString(b, string(d.FreshnessStatus))
	if d.Frequency != "" {
		b = append(b, `,"frequency":`...)
		b = appendJSONString(b, d.Frequency)
	}
	b = append(b, `,"stars":`...)
	b = strconv.AppendInt(b, int64(d.Stars), 10)
	b = append(b, `,"open_licence":`...)
	b = strconv.AppendBool(b, d.OpenLicence)
	if d.LicenceStatus != "" {
		b = append(b, `,"licence_status":`...)
		b = appendJSONString(b, d.LicenceStatus)
	}
	if d.Visibility != "" {
		b = append(b, `,"visibility":`...)
		b = appendJSONString(b, d.Visibility)
	}
	b = append(b, `,"findings_count":{"error":`...)
	b = strconv.AppendInt(b, int64(d.Counts.Error), 10)
	b = append(b, `,"warning":`...)
	b = strconv.AppendInt(b, int64(d.Counts.Warning), 10)
	b = append(b, `,"info":`...)
	b = strconv.AppendInt(b, int64(d.Counts.Info), 10)
	b = append(b, `},"findings":`...)
	if d.Findings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range d.Findings {
			if i > 0 {
				b = append(b, ',')
			}
			f := &d.Findings[i]
			b = append(b, `{"rule":`...)
			b = appendJSONString(b, f.Rule)
			b = append(b, `,"dimension":`...)
			b = appendJSONString(b, string(f.Dimension))
			b = append(b, `,"severity":`...)
			b = appendJSONString(b, string(f.Severity))
			b = append(b, `,"resource_id":`...)
			b = appendJSONString(b, f.ResourceID)
			b = append(b, `,"points":`...)
			if b, err = appendJSONFloat(b, f.Points); err != nil {
				return nil, err
			}
			b = append(b, `,"message":`...)
			b = appendJSONString(b, f.Message)
			b = append(b, `,"hint":`...)
			b = appendJSONString(b, f.Hint)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// scoreKeys are the keys of vigie.Scores after the first, with their comma.
var scoreKeys = [5]string{"", `,"completeness":`, `,"freshness":`, `,"openness":`, `,"availability":`}

// appendJSONFloat appends f as encoding/json writes a float64: as ES6 would
// print it; NaN and infinities are the error json.Marshal gives.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 becomes e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendJSONString appends s quoted as json.Marshal writes a string.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s, true) }

// appendHTMLRow appends json.Marshal(htmlRow(d, strs)): the dataset's row
// of the html page's script, strings numbered by strs in the same order.
func appendHTMLRow(b []byte, d *Dataset, strs *interner) ([]byte, error) {
	var err error
	b = append(b, '[')
	for _, s := range [5]string{d.ID, d.Name, d.Title, d.Organization, d.URL} {
		b = appendJSONString(b, s)
		b = append(b, ',')
	}
	s := d.Scores
	for _, v := range [5]*float64{s.Overall, s.Completeness, s.Freshness, s.Openness, s.Availability} {
		if v == nil {
			b = append(b, "null"...)
		} else if b, err = appendJSONFloat(b, vigie.RoundMean(*v)); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	b = strconv.AppendInt(b, int64(d.MQA.Points), 10)
	b = append(b, ',')
	b = appendJSONString(b, string(d.MQA.Rating))
	b = append(b, ',')
	b = appendJSONString(b, string(d.FreshnessStatus))
	for _, n := range [4]int{d.Stars, d.Counts.Error, d.Counts.Warning, d.Counts.Info} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(n), 10)
	}
	b = append(b, ",["...)
	for i := range d.Findings {
		f := &d.Findings[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(strs.id(f.Rule)), 10)
		b = append(b, ',')
		b = appendJSONString(b, string(f.Severity[:min(1, len(f.Severity))]))
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(strs.id(string(f.Dimension))), 10)
		b = append(b, ',')
		b = appendJSONString(b, f.ResourceID)
		b = append(b, ',')
		if b, err = appendJSONFloat(b, f.Points); err != nil {
			return nil, err
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(strs.id(f.Message)), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(strs.id(f.Hint)), 10)
		b = append(b, ']')
	}
	return append(b, "]]"...), nil
}
