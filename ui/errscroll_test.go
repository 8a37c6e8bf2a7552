package ui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestLongErrorScrollsInFull: a 60-line error takes up to half the screen and says which of
// its lines show; [ and ] scroll it without clearing it, every line can be read, none is cut
// with "…", and the help line says how.
func TestLongErrorScrollsInFull(t *testing.T) {
	h := newHarness(t, nil)
	h.wantScreen(scrCollections)
	var lines []string
	for i := 1; i <= 60; i++ {
		lines = append(lines, fmt.Sprintf("detail line %02d of the error", i))
	}
	h.send(ErrorMsg{Where: "read the collection", Err: errors.New(strings.Join(lines, "\n"))})
	h.wantView("read the collection: detail line 01", "lines 1–", "of 60", "[ ] scroll the error")
	if strings.Contains(h.m.View(), "detail line 60") {
		t.Fatal("the whole 60-line error fits the footer: nothing to scroll")
	}
	seen := map[string]bool{}
	read := func() {
		for _, l := range regexp.MustCompile(`detail line \d\d`).FindAllString(h.m.View(), -1) {
			seen[l] = true
		}
	}
	read()
	for try := 0; try < 20 && !strings.Contains(h.m.View(), "detail line 60"); try++ {
		h.keys("]")
		if !strings.Contains(h.m.View(), "of 60") {
			t.Fatal("] cleared the error it scrolls")
		}
		read()
	}
	if len(seen) != 60 {
		t.Fatalf("read %d of the 60 lines by scrolling down:\n%s", len(seen), h.m.View())
	}
	h.wantView("of 60")
	if strings.Contains(h.m.View(), "error…") {
		t.Fatalf("a line was cut:\n%s", h.m.View())
	}
	for try := 0; try < 20 && !strings.Contains(h.m.View(), "detail line 01"); try++ {
		h.keys("[")
	}
	h.wantView("detail line 01", "lines 1–")
	h.keys("j") // any other key: the error was read, it goes
	if strings.Contains(h.m.View(), "detail line") {
		t.Fatal("another key left the error up")
	}
}
