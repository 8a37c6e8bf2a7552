package model

import (
	"strings"
	"testing"
)

func TestMergeDocs(t *testing.T) {
	keeper := `{"_id":1,"name":"Ann","phone":null,"tags":["a",{"$numberInt":"1"}]}`
	members := []string{
		`{"_id":3,"phone":null,"email":"ann@x.com","tags":["b",{"$numberDouble":"1.0"}]}`,
		`{"_id":2,"phone":"555","email":"other@x.com","name":"Anne","city":"Oslo","tags":["a","c"]}`,
	}
	m := func(opt MergeOptions) Merged {
		var ms [][]byte
		for _, s := range members {
			ms = append(ms, []byte(s))
		}
		got, err := MergeDocs([]byte(keeper), ms, opt)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := m(MergeOptions{})
	// The null phone is filled in place by the first member holding one; the missing email
	// comes from the first member in merge order; name stays the keeper's.
	want := `{"_id":{"$numberInt":"1"},"name":"Ann","phone":"555","tags":["a",{"$numberInt":"1"}],"email":"ann@x.com","city":"Oslo"}`
	if string(got.Doc) != want {
		t.Errorf("merged\n %s\nwant\n %s", string(got.Doc), want)
	}
	if d := got.Describe(); d != "email (from 3), phone (from 2), city (from 2)" {
		t.Errorf("describe: %s", d)
	}
	if !got.Gained("email") || got.Gained("name") || got.Gains[1].Was != Null || got.Gains[0].Was != Missing {
		t.Errorf("gains: %+v", got.Gains)
	}
	// Union: the keeper's elements, then new ones in member order; 1.0 is 1, already held.
	got = m(MergeOptions{Arrays: true})
	if !strings.Contains(string(got.Doc), `"tags":["a",{"$numberInt":"1"},"b","c"]`) {
		t.Errorf("union: %s", got.Doc)
	}
	for _, g := range got.Gains {
		if g.Field == "tags" && (g.Was != `["a",{"$numberInt":"1"}]` || len(g.From) != 2) {
			t.Errorf("tags gain: %+v", g)
		}
	}
	// Nothing to gain: no gains, the keeper as it was.
	same, err := MergeDocs([]byte(`{"_id":1,"a":1}`), [][]byte{[]byte(`{"_id":2,"a":2,"b":null}`)}, MergeOptions{Arrays: true})
	if err != nil || len(same.Gains) != 0 || same.Doc != `{"_id":{"$numberInt":"1"},"a":{"$numberInt":"1"}}` {
		t.Errorf("no gain: %+v %v", same, err)
	}
}

func TestMergeOrder(t *testing.T) {
	docs := []Doc{
		{ID: `{"$numberInt":"3"}`, Fields: []Field{{"at", `{"$numberInt":"5"}`}, {"x", `"x"`}}},
		{ID: `{"$numberInt":"1"}`, Fields: []Field{{"at", Null}}},
		{ID: `{"$numberInt":"2"}`, Fields: []Field{{"at", `{"$numberInt":"9"}`}, {"x", `"x"`}, {"y", `"y"`}}},
		{ID: `{"$numberInt":"4"}`, Fields: []Field{{"at", `{"$numberInt":"5"}`}}},
	}
	for _, c := range []struct {
		rule string
		want []int
	}{
		{"first", []int{1, 2, 0, 3}},
		{"last", []int{3, 0, 2, 1}},
		{"max:at", []int{2, 0, 3, 1}},
		{"min:at", []int{0, 3, 2, 1}},
		{"most-fields", []int{2, 0, 3, 1}},
	} {
		r, _ := ParseKeepRule(c.rule)
		got := MergeOrder(r, docs)
		if len(got) != len(c.want) {
			t.Fatalf("%s: %v", c.rule, got)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: order %v, want %v", c.rule, got, c.want)
				break
			}
		}
	}
	p := Plan{Version: PlanVersion, NS: Namespace{"d", "c"}, Key: Key{Fields: []string{"a"}}, Rule: "bogus", Merge: &MergeOptions{},
		Groups: []PlanGroup{{Key: []Value{`"a"`}, Keep: "1", Delete: []Value{"2"}}}}
	if err := p.Validate(); err == nil {
		t.Error("a merging plan with an unreadable rule was accepted")
	}
	q := p
	q.Rule = "first"
	if q.Validate() != nil || q.Digest() == (Plan{Version: PlanVersion, NS: q.NS, Key: q.Key, Groups: q.Groups}).Digest() {
		t.Error("a merging plan must validate and differ in digest from its delete-only twin")
	}
}
