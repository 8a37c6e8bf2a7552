package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// longErr is an error of n numbered lines, each one findable on screen.
func longErr(n int) error {
	var lines []string
	for i := 1; i <= n; i++ {
		lines = append(lines, fmt.Sprintf("detail line %02d of the error", i))
	}
	return errors.New(strings.Join(lines, "\n"))
}

// readByScrolling presses ] until the last of n lines shows, and fails unless every line was
// seen on the way and the hint stayed on screen; then [ goes back to the first line.
func readByScrolling(t *testing.T, h *harness, n int, hint string) {
	t.Helper()
	last := fmt.Sprintf("detail line %02d", n)
	if strings.Contains(h.m.View(), last) {
		t.Fatalf("the whole %d-line error fits: nothing to scroll", n)
	}
	seen := map[string]bool{}
	for try := 0; try < 30; try++ {
		v := h.m.View()
		if !strings.Contains(v, hint) {
			t.Fatalf("the error pushed %q off the screen:\n%s", hint, v)
		}
		for _, l := range regexp.MustCompile(`detail line \d\d`).FindAllString(v, -1) {
			seen[l] = true
		}
		if strings.Contains(v, last) {
			break
		}
		h.keys("]")
	}
	if len(seen) != n {
		t.Fatalf("read %d of the %d lines by scrolling down:\n%s", len(seen), n, h.m.View())
	}
	for try := 0; try < 30 && !strings.Contains(h.m.View(), "detail line 01"); try++ {
		h.keys("[")
	}
	h.wantView("detail line 01", "lines 1–")
}

// TestConnectReasonScrollsInFull: a reason taller than the connect screen scrolls with [ and ]
// inside the body, the way to edit the URI stays in view, and e still edits it.
func TestConnectReasonScrollsInFull(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Demo, c.URI = false, "mongodb://db.example:27017/"
		c.Connect = func(context.Context, string) (Store, error) { return nil, longErr(60) }
	})
	h.wantScreen(scrConnect)
	h.wantView("Cannot connect", "lines 1–", "of 60", "[ ] scroll the error")
	readByScrolling(t, h, 60, "Press e to edit the URI")
	h.keys("e")
	h.wantView("URI › mongodb://db.example:27017/")
}

// failingIndexes is the demo store whose index list fails with a long error.
type failingIndexes struct{ *memstore.Store }

func (failingIndexes) Indexes(context.Context, model.Namespace) ([]model.Index, error) {
	return nil, longErr(60)
}

// TestKeyOpenErrorScrollsInFull: a collection that cannot be opened says why in the key
// screen's body; a long reason scrolls there and R (retry) and esc stay in view.
func TestKeyOpenErrorScrollsInFull(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.NS = "shop.users"
		c.Connect = func(context.Context, string) (Store, error) { return failingIndexes{memstore.Demo()}, nil }
	})
	h.wantScreen(scrKey)
	h.wantView("lines 1–", "of 60", "[ ] scroll the error")
	readByScrolling(t, h, 60, "R tries again")
	if n := strings.Count(h.m.View(), "detail line 01"); n != 1 {
		t.Fatalf("the error is shown %d times (in the footer too?):\n%s", n, h.m.View())
	}
}
