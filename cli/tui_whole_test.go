package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTUIWholeDocumentOnDemo: on the key screen W asks for the fields to ignore and scans a
// whole-document key: the demo's twice-run import is found, one group per row imported twice,
// and the groups list shows the document as the group's key, cut to its cell.
func TestTUIWholeDocumentOnDemo(t *testing.T) {
	s := startTmux(t, fmt.Sprintf("%s --demo --ns shop.imports; sleep 600", binary))
	s.waitFor("whole document (W)")
	s.send("W")
	s.waitFor("ignore ›")
	s.send("importedAt", "Enter")
	s.waitFor("whole document except importedAt")
	screen := s.waitFor("SKU-003")
	if strings.Contains(screen, "SKU-004") {
		t.Fatalf("the row imported once is in a group:\n%s", screen)
	}
}

// TestTUIMergeOnDemo: M on a group view shows the merged keeper before anything runs, the
// fields it gains marked +.
func TestTUIMergeOnDemo(t *testing.T) {
	s := startTmux(t, fmt.Sprintf("%s --demo --ns shop.users --key email; sleep 600", binary))
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("keep")
	s.send("Enter")
	s.waitFor("rule: keep #1")
	s.send("Enter")
	s.waitFor("≠ differs")
	s.send("M")
	settled := func() {
		s.waitFor("⊕ merge")
		for i := 0; i < 50 && strings.Contains(s.screen(), "reading what the keeper"); i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}
	settled()
	for try := 0; !strings.Contains(s.screen(), "+ tags"); try++ {
		if try == 12 {
			t.Fatalf("no group showed a keeper gaining tags:\n%s", s.screen())
		}
		before := s.screen()
		s.send("n")
		for i := 0; i < 50 && s.screen() == before; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		settled()
	}
	s.waitFor("merged keeper #1 gains")
}
