// Package quality scores CKAN datasets: completeness against a profile,
// freshness against the declared update frequency, openness in Tim
// Berners-Lee's five stars, availability from link checks, and the
// data.europa.eu Metadata Quality Assessment (MQA) points. Every lost point is
// a finding with a stable rule code, a message and a fix in French and English.
//
// The package is pure: it reads no file, database, network or clock. Callers
// pass the dataset, its link-check results, the profile and the time.
package quality

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigie-audit/vigie"
)

// run holds one dataset's scoring in progress.
type run struct {
	d      *vigie.Dataset
	links  map[string]vigie.LinkResult
	p      *Profile
	now    time.Time
	env    Env
	out    *vigie.Assessment
	res    []resInfo // one per resource, computed once
	losses []loss    // scratch for completeness
	tmp    []loss    // scratch for one check's losses
	// found gathers the findings; the assessment gets a copy of the exact
	// size (a dataset has about six, which a slice grown from empty held
	// in four allocations of up to eight).
	found []vigie.Finding
}

// resInfo is what several dimensions need to know about one resource.
type resInfo struct {
	format  string // normalised declared format
	mime    string // normalised declared media type
	urlFmt  string // format named by the URL's file extension, "" when none
	ext     string // the URL's last file extension, upper case
	noURL   bool   // the resource gives no URL at all
	hasLink bool
	link    vigie.LinkResult
}

// lr is the resource's link-check result, nil when not checked.
func (ri *resInfo) lr() *vigie.LinkResult {
	if !ri.hasLink {
		return nil
	}
	return &ri.link
}

var runPool = sync.Pool{New: func() any { return new(run) }}

// Score assesses one dataset. links holds the latest link-check results keyed
// by URL: those of the dataset's resources are enough. nil means links were
// never checked (availability is then unknown); an empty map means they were,
// but none of this dataset's URLs yet. now is the reference time for freshness. Score is safe for
// concurrent use.
func Score(d *vigie.Dataset, links map[string]vigie.LinkResult, p *Profile, now time.Time) vigie.Assessment {
	return ScoreIn(d, links, p, now, Env{})
}

// Env is what the portal says about itself that scoring reads.
type Env struct {
	// Licences is the portal's licence register (CKAN license_list) keyed
	// by licence id; nil when the portal does not publish one.
	Licences map[string]vigie.Licence
}

// ScoreIn is Score with what the portal declares about itself.
func ScoreIn(d *vigie.Dataset, links map[string]vigie.LinkResult, p *Profile, now time.Time, env Env) vigie.Assessment {
	a := vigie.Assessment{DatasetID: d.ID}
	r := runPool.Get().(*run)
	r.found = r.found[:0]
	r.d, r.links, r.p, r.now, r.env, r.out = d, links, p, now, env, &a
	if cap(r.res) < len(d.Resources) {
		r.res = make([]resInfo, len(d.Resources))
	}
	r.res = r.res[:len(d.Resources)]
	for i := range d.Resources {
		x := &d.Resources[i]
		ri := &r.res[i]
		ri.format, ri.mime = NormalizeFormat(x.Format), NormalizeFormat(x.Mimetype)
		ri.urlFmt, ri.ext = urlFormat(x.URL)
		ri.noURL = strings.TrimSpace(x.URL) == ""
		ri.link, ri.hasLink = links[x.URL]
	}
	// The five scores share one allocation.
	vals := new([5]float64)
	keep := func(i int, v opt) *float64 {
		if !v.ok {
			return nil
		}
		vals[i] = v.v
		return &vals[i]
	}
	a.Scores.Completeness = keep(0, r.completeness())
	a.Scores.Freshness = keep(1, r.freshness())
	a.Scores.Openness = keep(2, r.openness())
	a.Scores.Availability = keep(3, r.availability())
	a.MQA = r.mqa()
	a.Scores.Overall = keep(4, r.overall())
	a.Findings = append(make([]vigie.Finding, 0, len(r.found)), r.found...)
	clear(r.found) // the pooled scratch holds no texts of this dataset
	r.d, r.links, r.p, r.out, r.env = nil, nil, nil, nil, Env{}
	runPool.Put(r)
	return a
}

func (r *run) add(f vigie.Finding) { r.found = append(r.found, f) }

// overall is the weighted mean of the known dimensions; nil when none is known.
func (r *run) overall() opt {
	s := r.out.Scores
	var sum, w float64
	add := func(dim vigie.Dimension, v *float64) {
		if v == nil {
			return
		}
		wt := r.p.Weights[dim]
		sum += wt * *v
		w += wt
	}
	add(vigie.DimCompleteness, s.Completeness)
	add(vigie.DimFreshness, s.Freshness)
	add(vigie.DimOpenness, s.Openness)
	add(vigie.DimAvailability, s.Availability)
	if r.p.Weights[vigie.DimMQA] > 0 {
		m := float64(r.out.MQA.Points) * 100 / MQAMax
		add(vigie.DimMQA, &m)
	}
	if w == 0 {
		return none
	}
	return score(sum / w)
}

// tx builds a bilingual text; args apply to both languages. It knows the
// verbs %s, %q and %d, which is all vigie's messages use.
func tx(fr, en string, args ...any) vigie.Text {
	if len(args) == 0 {
		return vigie.Text{FR: fr, EN: en}
	}
	return vigie.Text{FR: format(fr, args), EN: format(en, args)}
}

func format(tmpl string, args []any) string {
	var b strings.Builder
	b.Grow(len(tmpl) + 32)
	n := 0
	for i := 0; i < len(tmpl); i++ {
		// The text up to the next verb in one copy, not a byte at a time:
		// every finding's message and hint, in both languages, go through
		// here (some 2.4 million strings a run of 100k datasets).
		j := strings.IndexByte(tmpl[i:], '%')
		if j < 0 {
			b.WriteString(tmpl[i:])
			break
		}
		b.WriteString(tmpl[i : i+j])
		if i += j; i+1 == len(tmpl) {
			b.WriteByte('%')
			break
		}
		i++
		verb := tmpl[i]
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		if n >= len(args) {
			return fmt.Sprintf(tmpl, args...)
		}
		a := args[n]
		n++
		switch v := a.(type) {
		case string:
			switch verb {
			case 's':
				b.WriteString(v)
			case 'q':
				b.WriteString(strconv.Quote(v))
			default:
				return fmt.Sprintf(tmpl, args...)
			}
		case int:
			if verb != 'd' {
				return fmt.Sprintf(tmpl, args...)
			}
			b.WriteString(strconv.Itoa(v))
		default:
			return fmt.Sprintf(tmpl, args...)
		}
	}
	if n != len(args) {
		return fmt.Sprintf(tmpl, args...)
	}
	return b.String()
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// opt is a score that may be unknown.
type opt struct {
	v  float64
	ok bool
}

var none = opt{}

// score rounds to two decimals and clamps to 0–100.
func score(v float64) opt {
	v = round2(v)
	return opt{min(max(v, 0), 100), true}
}

func itoa(i int) string { return strconv.Itoa(i) }

// apportion rounds raw point losses to hundredths so that they add up
// exactly to their rounded total (largest remainder), and returns them in
// hundredths.
func apportion(raw []float64) []int {
	out := make([]int, len(raw))
	var sum float64
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(raw))
	given := 0
	for i, v := range raw {
		sum += v
		c := math.Floor(v*100 + 1e-9)
		out[i] = int(c)
		given += int(c)
		rems[i] = rem{i, v*100 - c}
	}
	left := int(math.Round(sum*100)) - given
	for left > 0 {
		best := -1
		for j, x := range rems {
			if best < 0 || x.r > rems[best].r {
				best = j
			}
		}
		if best < 0 {
			break
		}
		out[rems[best].i]++
		rems[best].r = -1
		left--
	}
	return out
}

// fromCents turns a score in hundredths into a 0–100 score.
func fromCents(c int) opt {
	return opt{float64(max(c, 0)) / 100, true}
}
