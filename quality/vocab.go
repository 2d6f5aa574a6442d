package quality

import (
	"mime"
	"strings"
	"sync"
)

// formatStars is the ckanext-qa openness table (resource_format_openness_scores.json),
// keyed by normalised format.
var formatStars = map[string]int{
	"N3": 5, "SPARQL": 5, "RDF": 5, "TTL": 5, "JSON-LD": 5, "JSONLD": 5, "NT": 5, "NQ": 5,
	"KML": 3, "WCS": 3, "NETCDF": 3, "TSV": 3, "WFS": 3, "KMZ": 3, "QGIS": 3, "ODS": 3, "JSON": 3, "ODB": 3,
	"ODF": 3, "ODG": 3, "XML": 3, "WMS": 3, "WMTS": 3, "SVG": 3, "JPEG": 3, "JPG": 3, "CSV": 3, "ATOM FEED": 3,
	"ATOM": 3, "XYZ": 3, "PNG": 3, "RSS": 3, "GEOJSON": 3, "IATI": 3, "ICS": 3, "GPKG": 3, "GML": 3, "GTFS": 3,
	"XLS": 2, "MDB": 2, "ARCGIS MAP SERVICE": 2, "BMP": 2, "TIFF": 2, "GEOTIFF": 2, "XLSX": 2, "GIF": 2, "E00": 2,
	"MRSID": 2, "ARCGIS MAP PREVIEW": 2, "MOP": 2, "ESRI REST": 2, "REST": 2, "DBASE": 2, "DBF": 2, "SHP": 2,
	"SQLITE": 2, "FGDB": 2, "GDB": 2, "DWG": 2, "DXF": 2, "ECW": 2,
	"PPTX": 1, "DOC": 1, "ARCGIS ONLINE MAP": 1, "ZIP": 1, "GZ": 1, "GZIP": 1, "ODT": 1, "RAR": 1, "TXT": 1, "DCR": 1,
	"DOCX": 1, "BIN": 1, "PPT": 1, "ODP": 1, "PDF": 1, "ODC": 1, "MXD": 1, "TAR": 1, "7Z": 1,
	"EXE": 0, "JS": 0, "PERL": 0, "OWL": 0, "HTML": 0, "HTM": 0, "XSLT": 0, "RDFA": 0, "WEB": 0, "API": 0,
}

// formatCase keeps the spelling Données Québec expects for formats that are
// not written in capitals.
var formatCase = map[string]string{"GEOJSON": "GeoJSON", "GEOTIFF": "GeoTIFF", "SQLITE": "SQLite"}

// formatAliases maps common spellings, extensions and MIME types to one
// normalised format name.
var formatAliases = map[string]string{
	"TEXT/CSV": "CSV", "APPLICATION/CSV": "CSV", "CSV.ZIP": "ZIP",
	"APPLICATION/JSON": "JSON", "TEXT/JSON": "JSON", "APPLICATION/GEO+JSON": "GEOJSON", "APPLICATION/VND.GEO+JSON": "GEOJSON",
	"APPLICATION/LD+JSON": "JSON-LD", "APPLICATION/XML": "XML", "TEXT/XML": "XML", "TEXT/HTML": "HTML",
	"APPLICATION/XHTML+XML": "HTML", "APPLICATION/PDF": "PDF", "APPLICATION/ZIP": "ZIP", "APPLICATION/X-ZIP-COMPRESSED": "ZIP",
	"APPLICATION/VND.MS-EXCEL": "XLS", "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET": "XLSX",
	"APPLICATION/VND.OASIS.OPENDOCUMENT.SPREADSHEET": "ODS", "APPLICATION/VND.GOOGLE-EARTH.KML+XML": "KML",
	"APPLICATION/VND.GOOGLE-EARTH.KMZ": "KMZ", "APPLICATION/RDF+XML": "RDF", "TEXT/TURTLE": "TTL",
	"TEXT/TAB-SEPARATED-VALUES": "TSV", "TEXT/PLAIN": "TXT", "IMAGE/PNG": "PNG", "IMAGE/JPEG": "JPEG", "IMAGE/TIFF": "TIFF",
	"APPLICATION/MSWORD": "DOC", "APPLICATION/GZIP": "GZIP", "APPLICATION/X-GZIP": "GZIP",
	"APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT": "DOCX",
	"APPLICATION/RSS+XML": "RSS", "APPLICATION/ATOM+XML": "ATOM", "TEXT/CALENDAR": "ICS",
	"APPLICATION/X-NETCDF": "NETCDF", "APPLICATION/GEOPACKAGE+SQLITE3": "GPKG", "APPLICATION/VND.SQLITE3": "SQLITE",
	"JPG": "JPEG", "TIF": "TIFF", "GEOTIF": "GEOTIFF", "ESRI SHAPEFILE": "SHP", "SHAPEFILE": "SHP", "SHP.ZIP": "SHP",
	"NETCDF4": "NETCDF", "NC": "NETCDF", "XLSM": "XLSX", "HTM": "HTML", "YML": "YAML", "GEOPACKAGE": "GPKG",
	"ESRI REST API": "ESRI REST", "ARCGIS REST": "ESRI REST", "TURTLE": "TTL", "RDF/XML": "RDF", "RDF-XML": "RDF",
	"ICAL": "ICS", "GTFS-RT": "GTFS", "GBFS": "GTFS", "JSON LD": "JSON-LD", "DBASE": "DBF", "7-ZIP": "7Z",
}

// edpNonProprietary and edpMachineReadable are the EDP custom vocabularies
// used by data.europa.eu's MQA (file-type authority codes, normalised here).
var edpNonProprietary = setOf("BMP", "CSV", "DBF", "GEOJSON", "GZIP", "HTML", "ICS", "JPEG2000", "JSON", "JSON-LD",
	"KML", "KMZ", "NETCDF", "ODS", "PNG", "NQ", "NT", "TRIG", "TTL", "RDF", "RSS", "RTF", "TAR", "TIFF", "TSV",
	"TXT", "WMS", "XML", "ZIP")

var edpMachineReadable = setOf("CSV", "GEOJSON", "ICS", "JSON", "JSON-LD", "KML", "KMZ", "NETCDF", "ODS", "RDFA",
	"NQ", "NT", "TRIG", "TTL", "RDF", "RSS", "SHP", "XLS", "XLSX", "XML")

func setOf(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// NormalizeFormat turns a declared format, an extension or a MIME type into
// vigie's normalised format name (upper case); "" when empty.
func NormalizeFormat(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		return ""
	}
	if i := strings.LastIndex(s, "/file-type/"); i >= 0 { // EU file-type authority URI
		s = s[i+len("/file-type/"):]
		s = strings.ReplaceAll(s, "_", "-")
	}
	u := strings.ToUpper(s)
	if i := strings.IndexByte(u, ';'); i >= 0 { // MIME parameters
		u = strings.TrimSpace(u[:i])
	}
	if a, ok := formatAliases[u]; ok {
		return a
	}
	return u
}

// KnownFormat reports whether a normalised format is in vigie's format table.
func KnownFormat(norm string) bool {
	_, ok := formatStars[norm]
	return ok || edpNonProprietary[norm] || edpMachineReadable[norm] || norm == "YAML" || norm == "JPEG2000" || norm == "7Z"
}

// FormatStars returns the ckanext-qa stars of a normalised format; ok is
// false when the format is unknown.
func FormatStars(norm string) (stars int, ok bool) {
	s, ok := formatStars[norm]
	return s, ok
}

// NonProprietary and MachineReadable apply the EDP lists to a normalised format.
func NonProprietary(norm string) bool  { return edpNonProprietary[norm] }
func MachineReadable(norm string) bool { return edpMachineReadable[norm] }

// urlFormat guesses a normalised format from the URL's file name: the last
// two dot-separated parts, then the last one, as ckanext-qa does. It also
// returns the last extension, upper case ("" when the name has none).
func urlFormat(raw string) (format, ext string) {
	p := raw
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
		j := strings.IndexByte(p, '/')
		if j < 0 {
			return "", ""
		}
		p = p[j:]
	}
	base := p[strings.LastIndexByte(p, '/')+1:]
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 || dot == len(base)-1 {
		return "", ""
	}
	ext = strings.ToUpper(base[dot+1:])
	if prev := strings.LastIndexByte(base[:dot], '.'); prev >= 0 {
		if a, ok := formatAliases[strings.ToUpper(base[prev+1:])]; ok {
			return a, ext
		}
	}
	f := NormalizeFormat(ext)
	if KnownFormat(f) {
		return f, ext
	}
	return "", ext
}

// contentTypeFormat maps a Content-Type header to a normalised format.
// Scoring asks it two or three times a checked resource, of the few
// distinct headers a catalogue's servers send: the answers are kept
// (ctFormats), up to ctFormatsMax headers.
func contentTypeFormat(ct string) string {
	if ct == "" {
		return ""
	}
	ctFormats.RLock()
	f, ok := ctFormats.m[ct]
	ctFormats.RUnlock()
	if ok {
		return f
	}
	f = parseContentTypeFormat(ct)
	ctFormats.Lock()
	if len(ctFormats.m) < ctFormatsMax {
		ctFormats.m[strings.Clone(ct)] = f
	}
	ctFormats.Unlock()
	return f
}

// ctFormats holds contentTypeFormat's answers; safe from several scorers.
var ctFormats = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

// ctFormatsMax bounds ctFormats: a hostile portal's links could send a
// different header each.
const ctFormatsMax = 4096

// parseContentTypeFormat is contentTypeFormat without the memory.
func parseContentTypeFormat(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	if a, ok := formatAliases[strings.ToUpper(mt)]; ok {
		return a
	}
	return ""
}
