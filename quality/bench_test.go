package quality_test

import (
	"math/rand"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
)

// BenchmarkScore100k scores 100,000 generated datasets per iteration.
// "realistic" datasets follow the rules but for 0–3 defects each and carry
// 2 resources with checked links; "adversarial" ones are random (0–8
// resources, most rules broken, every kind of link result), so almost every
// check writes a finding.
func BenchmarkScore100k(b *testing.B) {
	const n = 100_000
	for _, kind := range []string{"realistic", "adversarial"} {
		rng := rand.New(rand.NewSource(1))
		ds := make([]*vigie.Dataset, n)
		links := map[string]vigie.LinkResult{}
		for i := range ds {
			var d *vigie.Dataset
			var l map[string]vigie.LinkResult
			if kind == "realistic" {
				d, l = realisticDataset(rng)
			} else {
				d, l = randomDataset(rng, i)
			}
			d.ID = "d" + itoa(i)
			for j := range d.Resources {
				old := d.Resources[j].URL
				d.Resources[j].URL += "?d=" + itoa(i)
				if lr, ok := l[old]; ok {
					links[d.Resources[j].URL] = lr
				}
			}
			ds[i] = d
		}
		for _, name := range []string{"donneesquebec", "mqa"} {
			p := quality.MustProfile(name)
			b.Run(kind+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, d := range ds {
						quality.Score(d, links, p, now)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "datasets/s")
			})
		}
	}
}

// realisticDataset is a well-kept dataset with 0–3 common defects.
func realisticDataset(rng *rand.Rand) (*vigie.Dataset, map[string]vigie.LinkResult) {
	d := perfectDQ()
	l := okLinks(d)
	defects := []func(){
		func() { d.Extras["methodologie"] = "" },
		func() { d.Extras["temporal"] = "" },
		func() { d.Resources[1].Description = "" },
		func() { d.Resources[0].Format = "csv" },
		func() { d.AuthorEmail = "" },
		func() {
			d.Resources[1].LastModified = tp(now.AddDate(-2, 0, 0))
			d.Resources[0].LastModified = tp(now.AddDate(0, -3, 0))
		},
		func() { l[d.Resources[1].URL] = vigie.LinkResult{Class: vigie.LinkBroken, Status: 404} },
		func() { delete(d.Resources[0].Extras, "relidi_confic_epsg") },
		func() { d.Groups = nil },
	}
	for k := rng.Intn(4); k > 0; k-- {
		defects[rng.Intn(len(defects))]()
	}
	return d, l
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	p := len(buf)
	for i > 0 {
		p--
		buf[p] = byte('0' + i%10)
		i /= 10
	}
	return string(buf[p:])
}
