package linkcheck

import (
	"time"

	"github.com/vigie-audit/vigie"
)

// Debounce turns an observation from Check into the link's new state, given
// its previous state (nil when never checked):
//
//   - ok resets the failure count and records the success;
//   - a failure (Class broken) adds one to the consecutive failures; the link
//     is broken only once it has failed n times in a row over at least h
//     since the first of those failures, and failing until then;
//   - unsure, invalid and blocked neither count nor reset failures.
//
// It is pure: the same inputs always give the same state.
func Debounce(prev *vigie.LinkResult, obs vigie.LinkResult, now time.Time, n int, h time.Duration) vigie.LinkResult {
	r := obs
	r.CheckedAt = now
	r.Failures, r.FirstFailure, r.LastSuccess = 0, nil, nil
	if prev != nil {
		r.Failures = prev.Failures
		r.FirstFailure = copyTime(prev.FirstFailure)
		r.LastSuccess = copyTime(prev.LastSuccess)
	}
	switch obs.Class {
	case vigie.LinkOK:
		t := now
		r.Failures, r.FirstFailure, r.LastSuccess = 0, nil, &t
	case vigie.LinkBroken, vigie.LinkFailing:
		if r.Failures <= 0 || r.FirstFailure == nil {
			t := now
			r.Failures, r.FirstFailure = 0, &t
		}
		r.Failures++
		r.Class = vigie.LinkFailing
		if r.Failures >= max(n, 1) && now.Sub(*r.FirstFailure) >= h {
			r.Class = vigie.LinkBroken
		}
	}
	return r
}

// previous is h as the previous state Debounce reads, nil when the URL was
// never checked.
func previous(h *vigie.LinkHistory) *vigie.LinkResult {
	if h == nil {
		return nil
	}
	r := &vigie.LinkResult{Failures: h.Failures}
	if !h.FirstFailure.IsZero() {
		t := h.FirstFailure
		r.FirstFailure = &t
	}
	if !h.LastSuccess.IsZero() {
		t := h.LastSuccess
		r.LastSuccess = &t
	}
	return r
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
