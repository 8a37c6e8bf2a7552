package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestTUIShowsBidiAndControlCharactersEscaped drives the real binary through tmux on documents
// whose key field's name holds a bidi override (U+202E) and whose values hold DEL (\x7f) and a
// C1 control (\u0085): the key screen, the groups list and the group's header show each one
// escaped, as the CLI does, never raw (a bidi override reorders the row on screen) and never
// dropped ("x\x7fy" must not read "xy").
func TestTUIShowsBidiAndControlCharactersEscaped(t *testing.T) {
	f := newFixture(t)
	field := "e\u202eliam"
	values := []string{"x\x7fy", "x\x7fy", "a\u0085b" + field, "a\u0085b" + field}
	for i, v := range values {
		f.insert("bidi", map[string]any{"_id": i + 1, field: v})
	}
	raw := func(what, screen string) {
		t.Helper()
		if i := strings.IndexAny(screen, "\u202e\x7f\u0085"); i >= 0 {
			t.Fatalf("the %s shows a raw control or bidi character at byte %d:\n%q", what, i, screen)
		}
	}
	escField := model.SafeText(field) // e\u202eliam
	escDel := model.SafeText(`"x` + "\x7f" + `y"`)
	escC1 := model.SafeText(`"a` + "\u0085" + `b` + field + `"`)
	if escField == field || escDel == `"x`+"\x7f"+`y"` || !strings.Contains(escC1, `\u0085`) {
		t.Fatalf("SafeText escapes nothing here: %q %q %q", escField, escDel, escC1)
	}

	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --backup '%s'; sleep 600", binary, f.uri, f.ns("bidi"), t.TempDir()))
	screen := s.waitFor("FIELD")
	t.Logf("key screen:\n%s", screen)
	mustContain(t, "key screen", screen, "› [ ] "+escField)
	raw("key screen", screen)

	s.send("Enter")                       // scan the field under the cursor, the only one
	screen = s.waitFor("KEY " + escField) // the groups list (the scan screen says "2 groups so far")
	t.Logf("groups list:\n%s", screen)
	mustContain(t, "groups list", screen, escDel, escC1, "KEY "+escField)
	if strings.Contains(screen, `"xy"`) {
		t.Fatalf("DEL was dropped from the groups list:\n%s", screen)
	}
	raw("groups list", screen)

	s.send("Enter")
	screen = s.waitFor("2 members")
	t.Logf("group view:\n%s", screen)
	header := ""
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "Group 1 of 2") {
			header = l
		}
	}
	mustContain(t, "group header", header, escField+" = ")
	if !strings.Contains(header, escDel) && !strings.Contains(header, strings.TrimSuffix(escC1, `"`)) {
		t.Fatalf("the group header shows neither key value escaped: %q", header)
	}
	raw("group view", screen)
	s.send("q")
}
