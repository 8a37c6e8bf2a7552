package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/model"
)

// TestShownKeepsOneFormAtEveryWidth: an ObjectId and a date read as what they are at every
// width (the bare hex in one group and ObjectId('…') in the next looked like two types), cut
// to the width in cells; an ObjectId keeps the end of its hex, where ids made in a row differ.
func TestShownKeepsOneFormAtEveryWidth(t *testing.T) {
	oid := model.Value(`{"$oid":"65e594985f1c2a0000000abc"}`)
	date := model.Value(`{"$date":"2024-03-09T00:30:00Z"}`)
	for w := 6; w <= 40; w++ {
		o, d := shown(oid, w), shown(date, w)
		if ansi.StringWidth(o) > w || ansi.StringWidth(d) > w {
			t.Fatalf("width %d: %q, %q wider than the column", w, o, d)
		}
		if !strings.HasPrefix(o, "Obj") || !strings.HasPrefix(d, "ISO") {
			t.Fatalf("width %d: %q, %q lost their form", w, o, d)
		}
		if w >= 17 && !strings.HasSuffix(o, "abc')") {
			t.Fatalf("width %d: %q lost the end of its hex", w, o)
		}
	}
	if got := shown(oid, 36); got != "ObjectId('65e594985f1c2a0000000abc')" {
		t.Fatalf("whole ObjectId shown as %q", got)
	}
}
