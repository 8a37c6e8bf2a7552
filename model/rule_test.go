package model

import (
	"strings"
	"testing"
)

func TestParseKeepRule(t *testing.T) {
	for _, s := range []string{"first", "last", "max:updatedAt", "min:meta.createdAt", "most-fields"} {
		r, err := ParseKeepRule(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if r.String() != s {
			t.Errorf("round trip %s -> %s", s, r.String())
		}
		if r.Describe() == "" {
			t.Errorf("%s has no description", s)
		}
	}
	for _, bad := range []string{"", "newest", "max", "max:", "min:$x", "first:x", "most-fields:a"} {
		if _, err := ParseKeepRule(bad); err == nil {
			t.Errorf("ParseKeepRule(%q) accepted", bad)
		}
	}
}

func docOf(id Value, fields ...Field) Doc {
	return Doc{ID: id, Fields: append([]Field{{"_id", id}}, fields...)}
}

func TestKeeper(t *testing.T) {
	g := Group{Key: []Value{`"k"`}, IDs: []Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`, `{"$numberInt":"3"}`}}
	docs := []Doc{
		docOf(g.IDs[2], Field{"updatedAt", `{"$date":{"$numberLong":"100"}}`}),
		docOf(g.IDs[0], Field{"updatedAt", `{"$date":{"$numberLong":"300"}}`}, Field{"name", `"x"`}, Field{"note", `null`}),
		docOf(g.IDs[1], Field{"name", `"y"`}, Field{"age", `{"$numberInt":"3"}`}, Field{"city", `"Oslo"`}),
	}
	cases := []struct {
		rule string
		want int
	}{
		{"first", 0},
		{"last", 2},
		{"max:updatedAt", 0},
		{"min:updatedAt", 2}, // member 2 lacks updatedAt: it never wins
		{"most-fields", 1},   // nulls do not count as present
		{"max:nowhere", 0},   // no member has the field: smallest _id
	}
	for _, c := range cases {
		r, _ := ParseKeepRule(c.rule)
		got, err := r.Keeper(g, docs)
		if err != nil || got != c.want {
			t.Errorf("%s: keeper %d, %v; want %d", c.rule, got, err, c.want)
		}
	}
}

func TestKeeperSkipsVanishedDocs(t *testing.T) {
	g := Group{IDs: []Value{`"a"`, `"b"`}}
	r, _ := ParseKeepRule("max:n")
	// Only "b" still exists: it must be chosen, although "a" is first.
	got, err := r.Keeper(g, []Doc{docOf(`"b"`)})
	if err != nil || got != 1 {
		t.Fatalf("keeper %d, %v", got, err)
	}
	if _, err := r.Keeper(g, nil); err == nil {
		t.Fatal("a rule needing documents accepted none")
	}
	if _, err := r.Keeper(Group{}, nil); err == nil {
		t.Fatal("empty group accepted")
	}
}

func TestKeeperTiesGoToSmallestID(t *testing.T) {
	g := Group{IDs: []Value{`"a"`, `"b"`}}
	same := Field{"n", `{"$numberInt":"5"}`}
	for _, rule := range []string{"max:n", "min:n", "most-fields"} {
		r, _ := ParseKeepRule(rule)
		got, _ := r.Keeper(g, []Doc{docOf(`"b"`, same), docOf(`"a"`, same)})
		if got != 0 {
			t.Errorf("%s: tie went to %d", rule, got)
		}
	}
}

func FuzzParseKeepRule(f *testing.F) {
	for _, s := range []string{"first", "max:a.b", "min:", "most-fields", "x:y:z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseKeepRule(s)
		if err != nil {
			return
		}
		back, err := ParseKeepRule(r.String())
		if err != nil || back != r {
			t.Fatalf("%q parsed to %v, which does not round-trip: %v %v", s, r, back, err)
		}
	})
}

// TestEveryRuleIsWhole checks each row of Rules, so a new rule is one row and this test: it
// has a name, words for the menu and a description, reads back from its own spelling, and
// its keeper is the first of its merge order on documents whose order it decides.
func TestEveryRuleIsWhole(t *testing.T) {
	ids := []Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`, `{"$numberInt":"3"}`}
	g := Group{Key: []Value{`"k"`}, IDs: ids}
	docs := []Doc{
		docOf(ids[0], Field{"f", `{"$numberInt":"5"}`}),
		docOf(ids[1], Field{"f", `{"$numberInt":"9"}`}, Field{"g", `"x"`}),
		docOf(ids[2], Field{"f", `{"$numberInt":"1"}`}),
	}
	if len(Rules) == 0 || RuleNames() == "" {
		t.Fatal("no rules")
	}
	for i, d := range Rules {
		if d.Name == "" || d.Menu == "" || d.Help == "" || d.describe == nil || d.before == nil {
			t.Fatalf("rule %d (%q) lacks a name, menu words, a description or an order", i, d.Name)
		}
		spelled := d.Name
		if d.Field {
			spelled += ":f"
		}
		r, err := ParseKeepRule(spelled)
		if err != nil || r.Kind != RuleKind(i) || r.String() != spelled || r.Describe() == "" {
			t.Fatalf("%s reads back as %+v (%v)", spelled, r, err)
		}
		if !strings.Contains(RuleNames(), d.Name) {
			t.Errorf("RuleNames() lacks %s", d.Name)
		}
		keep, err := r.Keeper(g, docs)
		if err != nil {
			t.Fatalf("%s: %v", spelled, err)
		}
		order := MergeOrder(r, docs)
		if docs[order[0]].ID != ids[keep] {
			t.Errorf("%s keeps %s, but its merge order starts with %s", spelled, ids[keep], docs[order[0]].ID)
		}
	}
}
