package l10n

import (
	"testing"
	"time"
)

func TestNumbers(t *testing.T) {
	nb := ThinSpace
	cases := []struct{ got, want string }{
		{Float(27.8, 1, "fr"), "27,8"},
		{Float(27.8, 1, "en"), "27.8"},
		{Float(91.74, 1, "fr"), "91,7"},
		{Float(100, 1, "fr"), "100"},
		{Float(1567.25, 2, "fr"), "1" + nb + "567,25"},
		{Float(1567.25, 2, "en"), "1,567.25"},
		{Float(-1234567.5, 1, "fr"), "-1" + nb + "234" + nb + "567,5"},
		{Float(-0.01, 1, "fr"), "0"},
		{Fixed(0.5, 2, "fr"), "0,50"},
		{Fixed(-0.001, 2, "en"), "0.00"},
		{Int(1200, "fr"), "1" + nb + "200"},
		{Int(1200, "en"), "1,200"},
		{Int(999, "fr"), "999"},
		{Int(int64(-100000), "fr"), "-100" + nb + "000"},
		{Signed(2.5, 1, "fr"), "+2,5"},
		{Signed(-2.5, 1, "fr"), "-2,5"},
		{Signed(0.01, 1, "fr"), "0"},
		{Plain(27.8, ','), "27,8"},
		{Plain(1234.5, '.'), "1234.5"},
		{Float(5, 1, "fr-CA"), "5"},
		{Float(1000.5, 1, "en-CA"), "1,000.5"},
		{Duration(1026*time.Millisecond, "fr"), "1,026s"},
		{Duration(1026*time.Millisecond, "en"), "1.026s"},
		{Duration(150*time.Second, "fr"), "2m30s"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

func TestNumbersAsSentenceArguments(t *testing.T) {
	nb := ThinSpace
	Add(map[string]Msg{"test.num": {FR: "%s sur %s (%s, %s)", EN: "%s of %s (%s, %s)"}})
	args := []any{Number(1234.5, 2), Whole(99), Share(0.99, 1), Change(1234.5, 1)}
	if got, want := T("fr", "test.num", args...), "1"+nb+"234,5 sur 99 (99"+nb+"%, +1"+nb+"234,5)"; got != want {
		t.Errorf("fr: got %q, want %q", got, want)
	}
	if got, want := T("en", "test.num", args...), "1,234.5 of 99 (99%, +1,234.5)"; got != want {
		t.Errorf("en: got %q, want %q", got, want)
	}
	if got := Percent(99, 0, "fr"); got != "99"+nb+"%" {
		t.Errorf("Percent fr %q", got)
	}
}
