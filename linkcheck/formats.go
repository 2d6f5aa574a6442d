package linkcheck

import (
	"bytes"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// dataFormats are declared formats that promise data, not a web page.
var dataFormats = map[string]bool{
	"CSV": true, "TSV": true, "TXT": true, "JSON": true, "GEOJSON": true, "JSONLD": true, "JSON-LD": true,
	"XML": true, "XLS": true, "XLSX": true, "ODS": true, "ZIP": true, "GZ": true, "7Z": true,
	"SHP": true, "KML": true, "KMZ": true, "GPKG": true, "GML": true, "GEOTIFF": true, "TIF": true, "TIFF": true,
	"PDF": true, "DOC": true, "DOCX": true, "ODT": true, "RDF": true, "TTL": true, "N3": true, "NT": true,
	"PARQUET": true, "GTFS": true, "DWG": true, "DXF": true, "LAS": true, "LAZ": true, "NETCDF": true, "NC": true,
	"SQL": true, "SQLITE": true, "FGDB": true, "GDB": true, "JPEG": true, "JPG": true, "PNG": true, "MP4": true,
}

// mimeFormats maps media types sometimes given as a format to the format.
var mimeFormats = map[string]string{
	"text/csv": "CSV", "application/json": "JSON", "application/geo+json": "GEOJSON",
	"application/vnd.geo+json": "GEOJSON", "application/xml": "XML", "text/xml": "XML",
	"application/vnd.ms-excel": "XLS",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
	"application/zip": "ZIP", "application/pdf": "PDF",
}

// dataFormat returns the first declared format that promises data, "" if none.
func dataFormat(formats []string) string {
	for _, f := range formats {
		f = strings.TrimSpace(f)
		if m, ok := mimeFormats[strings.ToLower(f)]; ok {
			return m
		}
		up := strings.ToUpper(strings.TrimPrefix(f, "."))
		if dataFormats[up] {
			return up
		}
	}
	return ""
}

// mediaType is the lower-cased Content-Type without parameters.
func mediaType(h http.Header) string {
	v := strings.TrimSpace(h.Get("Content-Type"))
	if v == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		if i := strings.IndexByte(v, ';'); i >= 0 {
			v = v[:i]
		}
		return strings.ToLower(strings.TrimSpace(v))
	}
	return mt
}

// looksHTML recognises an HTML page from its first bytes.
func looksHTML(prefix []byte) bool {
	if len(prefix) == 0 {
		return false
	}
	return strings.HasPrefix(http.DetectContentType(prefix), "text/html")
}

// isOGCRequest reports a URL that calls an OGC web service (WMS, WFS…).
func isOGCRequest(u *url.URL) bool {
	for k := range u.Query() {
		switch strings.ToLower(k) {
		case "service", "request":
			return true
		}
	}
	return false
}

// isOGCException recognises an OGC ServiceExceptionReport or OWS
// ExceptionReport, which services send with status 200.
func isOGCException(prefix []byte) bool {
	p := bytes.ToLower(prefix)
	return bytes.Contains(p, []byte("<serviceexceptionreport")) ||
		bytes.Contains(p, []byte("<ows:exceptionreport")) ||
		bytes.Contains(p, []byte("<exceptionreport"))
}
