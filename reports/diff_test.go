package reports

import (
	"strings"
	"testing"
)

func TestMDCellNeutralisesPortalText(t *testing.T) {
	got := diffMDCell("<script>x</script> | [a](javascript:b) *c*\n_d_")
	for _, bad := range []string{"<script>", "a](", "| [", "\n"} {
		if strings.Contains(got, bad) {
			t.Errorf("diffMDCell left %q in %q", bad, got)
		}
	}
	if !strings.Contains(got, `\<script\>`) {
		t.Errorf("diffMDCell = %q", got)
	}
}
