package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestTermSafe keeps colours and newlines and drops every other escape and control: a
// clipboard write (OSC 52), a hyperlink, cursor moves, a bell, a C1 CSI.
func TestTermSafe(t *testing.T) {
	in := "\x1b[1;38;5;63mdupes\x1b[0m ok\n" +
		"a\x1b]52;c;SGVsbG8=\x07b" + // OSC 52, BEL-terminated
		"c\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\d" + // OSC 8, ST-terminated
		"e\x1b[2Af\x1b[Hg" + // cursor up, cursor home
		"h\x07i\ri\u009b31mj" + // BEL, CR, C1 CSI
		"\x1b]52;c;unterminated"
	want := "\x1b[1;38;5;63mdupes\x1b[0m ok\nabclinkdefghii31mj" // the C1 CSI goes, its text stays
	if got := termSafe(in); got != want {
		t.Errorf("termSafe\n got %q\nwant %q", got, want)
	}
	if plain := "\x1b[31mred\x1b[0m\nplain ✓"; termSafe(plain) != plain {
		t.Error("a clean frame was changed")
	}
}

// TestHostileErrorCannotReachTheTerminal: an error quoting a hostile document is shown with its
// escapes written out, and nothing in the frame is a sequence other than a colour.
func TestHostileErrorCannotReachTheTerminal(t *testing.T) {
	h := newHarness(t, nil)
	h.send(ErrorMsg{Where: "build index", Err: errors.New("E11000 dup key: { email: \"\x1b]52;c;SGVsbG8=\x07\x1b[2Aevil\" }")})
	v := h.m.View()
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\x07") || strings.Contains(v, "\x1b[2A") {
		t.Fatalf("the frame carries the hostile sequences: %q", v)
	}
	h.wantView(`\x1b]52;c;SGVsbG8=`, "evil")
}

// TestHostileCollectionNameIsShownEscaped: a collection whose name holds an escape is listed
// with the escape written out, where the DBA can see it.
func TestHostileCollectionNameIsShownEscaped(t *testing.T) {
	h := newHarness(t, nil)
	h.store.AddCollection(model.Collection{NS: model.Namespace{DB: "shop", Coll: "ev\x1b[2Ail"}, Type: model.TypeCollection, Count: 1})
	h.keys("down", "enter") // shop
	h.wantView(`ev\x1b[2Ail`)
	if strings.Contains(h.m.View(), "\x1b[2A") {
		t.Fatal("the cursor move reached the frame")
	}
}
