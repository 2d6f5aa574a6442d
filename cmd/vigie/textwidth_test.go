package main

import (
	"strings"
	"testing"
)

func TestPrintTableAlignsWideCharacters(t *testing.T) {
	var b strings.Builder
	rows := [][]string{
		{"tokyo-parks", "東京都の公園一覧", "tokyo"},
		{"seoul", "서울시 공공 와이파이", "seoul"},
		{"montreal", "Arbres publics (Montréal)", "ville-de-montreal"},
		{"combining", "Montre\u0301al", "x"},
		{"full", "ＡＢＣ", "y"},
		{"zwsp", "Parcs\u200Bpublics", "z"},
		{"bom", "\uFEFFArbres", "b"},
		{"zwj", "a\u200Db\u200Cc\u2060d", "j"},
		{"wide-zw", "\uFEFF東京\u200B公園", "w"},
	}
	if err := printTable(&b, []string{"name", "title", "organization"}, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := -1
	for _, l := range lines {
		// the third column starts at the same display column on every line
		i := strings.LastIndex(l, "  ")
		col := displayWidth(l[:i+2])
		if want < 0 {
			want = col
		} else if col != want {
			t.Errorf("third column at %d, want %d:\n%s", col, want, b.String())
		}
	}
	if displayWidth("東京") != 4 || displayWidth("e\u0301") != 1 || displayWidth("ＡＢ") != 4 || displayWidth("abc") != 3 ||
		displayWidth("a\u200Bb") != 2 || displayWidth("\uFEFFx") != 1 || displayWidth("a\u200Db") != 2 {
		t.Error("display widths are wrong")
	}
	if got := truncateWidth("東京都の公園一覧", 7); got != "東京都…" || displayWidth(got) > 7 {
		t.Errorf("truncateWidth = %q", got)
	}
}
