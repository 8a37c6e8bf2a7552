package ui

import (
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestHostileKeysAreEscapedOnEveryScreen: key values and field names holding a bidi override
// (U+202E), DEL and a C1 control are shown escaped, as the CLI shows them, in the groups list,
// the group's header and the key screen: never raw (a bidi override reorders the row) and
// never dropped ("x\x7fy" must not look like "xy").
func TestHostileKeysAreEscapedOnEveryScreen(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.hostile" })
	ns := model.Namespace{DB: "shop", Coll: "hostile"}
	h.store.AddCollection(model.Collection{NS: ns, Type: model.TypeCollection, Count: 4})
	bad := "e\u202eliam"
	for i, v := range []string{"x\x7fy", "x\x7fy", "a\u0085b" + bad, "a\u0085b" + bad} {
		id := model.Value(`{"$numberInt":"` + string(rune('1'+i)) + `"}`)
		val := model.Value(`"` + v + `"`) // as the driver writes it: these characters stay raw
		h.store.Insert(ns, model.Doc{ID: id, Fields: []model.Field{{Path: "_id", Value: id}, {Path: bad, Value: val}}})
	}
	h.send(openKeyMsg{ns: ns})
	key := h.m.View()
	if strings.ContainsRune(key, '\u202e') || !strings.Contains(key, `e\u202eliam`) {
		t.Fatalf("the key screen shows the field name raw or not at all:\n%s", key)
	}
	h.keys("enter") // scan the field under the cursor: the only one
	h.wantScreen(scrGroups)
	list := h.m.View()
	// The escapes are SafeText's, the CLI's own.
	for _, want := range []string{model.SafeText(`"x` + "\x7f" + `y"`), model.SafeText(`"a` + "\u0085" + `b`)} {
		if !strings.Contains(list, want) {
			t.Errorf("the groups list lacks %s:\n%s", want, list)
		}
	}
	if strings.ContainsAny(list, "\u202e\x7f\u0085") || strings.Contains(list, `"xy"`) {
		t.Fatalf("the groups list shows a raw or dropped character:\n%q", list)
	}
	h.keys("enter")
	if g := h.m.View(); strings.ContainsAny(g, "\u202e\x7f\u0085") {
		t.Fatalf("the group's header shows a raw character:\n%q", g)
	}
}
