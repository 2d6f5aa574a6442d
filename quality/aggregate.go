package quality

import "github.com/vigie-audit/vigie"

// Tau is Atz's timeliness metric: the share of scheduled datasets that are up
// to date (status fresh), among those whose freshness could be assessed
// (fresh, due, overdue, delinquent). Not-applicable and unknown statuses are
// left out; assessable says how many counted. tau is 0 when none did.
func Tau(statuses []vigie.Freshness) (tau float64, assessable int) {
	fresh := 0
	for _, s := range statuses {
		switch s {
		case vigie.FreshFresh:
			fresh++
			assessable++
		case vigie.FreshDue, vigie.FreshOverdue, vigie.FreshDelinquent:
			assessable++
		}
	}
	if assessable == 0 {
		return 0, 0
	}
	return float64(fresh) / float64(assessable), assessable
}

// Shares of a set of assessments: open licence, open format, machine-readable.
type Shares struct {
	Datasets        int
	OpenLicence     float64
	OpenFormat      float64
	MachineReadable float64
}

// SharesOf computes the open-licence, open-format and machine-readable shares.
func SharesOf(as []vigie.Assessment) Shares {
	s := Shares{Datasets: len(as)}
	if len(as) == 0 {
		return s
	}
	var l, f, m int
	for i := range as {
		if as[i].OpenLicence {
			l++
		}
		if as[i].OpenFormat {
			f++
		}
		if as[i].MachineReadable {
			m++
		}
	}
	n := float64(len(as))
	s.OpenLicence, s.OpenFormat, s.MachineReadable = float64(l)/n, float64(f)/n, float64(m)/n
	return s
}

// Mean is the mean of the known values and how many were known.
func Mean(vs []*float64) (mean float64, known int) {
	var sum float64
	for _, v := range vs {
		if v != nil {
			sum += *v
			known++
		}
	}
	if known == 0 {
		return 0, 0
	}
	return sum / float64(known), known
}

// Ratings counts assessments per MQA rating.
func Ratings(as []vigie.Assessment) map[vigie.Rating]int {
	out := map[vigie.Rating]int{}
	for i := range as {
		out[as[i].MQA.Rating]++
	}
	return out
}
