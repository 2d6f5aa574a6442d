package vigie

import (
	"errors"
	"fmt"
	"testing"
)

type kinded struct{}

func (kinded) Error() string        { return "kinded" }
func (kinded) ErrorKind() ErrorKind { return KindNotFound }

func TestKindOfFollowsTheChain(t *testing.T) {
	base := Errorf(KindInUse, "database in use")
	for _, c := range []struct {
		err  error
		want ErrorKind
	}{
		{errors.New("plain"), KindOther},
		{nil, KindOther},
		{base, KindInUse},
		{fmt.Errorf("open x: %w", base), KindInUse},
		{fmt.Errorf("dataset: %w", kinded{}), KindNotFound},
		{&Error{Kind: KindUsage, Err: fmt.Errorf("--from: %w", base)}, KindUsage}, // the outer kind wins
	} {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("KindOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if base.Error() != "database in use" {
		t.Errorf("an Error's text is its message's: %q", base.Error())
	}
}
