package model

import "testing"

func TestCheckKeyFields(t *testing.T) {
	sampled := []FieldInfo{
		{Path: "email", Present: 999, Sampled: 1000}, {Path: "name", Present: 1000, Sampled: 1000},
		{Path: "items", Present: 10, Sampled: 1000}, {Path: "items.sku", Present: 10, Sampled: 1000},
		{Path: "price", Present: 5, Sampled: 1000},
	}
	for _, tc := range []struct {
		fields []string
		want   string // "" accepted
	}{
		{[]string{"email"}, ""},
		{[]string{"name", "email"}, ""},
		{[]string{"items.0.sku"}, ""}, // positional path: held when items.sku is
		{[]string{"emial"}, "no sampled document has emial; did you mean email?"},
		{[]string{"name", "Email"}, "no sampled document has Email; did you mean email?"},
		{[]string{"prise"}, "no sampled document has prise; did you mean price?"},
		{[]string{"zzzzzz"}, "no sampled document has zzzzzz"},
	} {
		err := CheckKeyFields(tc.fields, sampled)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.fields, got, tc.want)
		}
	}
	if err := CheckKeyFields([]string{"anything"}, nil); err != nil {
		t.Errorf("an empty sample checks nothing, got %v", err)
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"email", "name", "createdAt", "updatedAt", "price"}
	for name, want := range map[string]string{
		"emial": "email", "mail": "email", "updatedat": "updatedAt", "createAt": "createdAt",
		"prise": "price", "nmae": "name", "colour": "", "x": "",
	} {
		if got := Closest(name, cands); got != want {
			t.Errorf("Closest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestFieldHeld(t *testing.T) {
	docs := []Doc{{ID: "1", Fields: []Field{{Path: "price", Value: Null}}}, {ID: "2", Fields: []Field{{Path: "name", Value: `"x"`}}}}
	r := KeepRule{Kind: KeepMax, Field: "price"}
	if r.FieldHeld(docs) {
		t.Error("a null price counted as held")
	}
	docs[0].Fields[0].Value = `{"$numberInt":"3"}`
	if !r.FieldHeld(docs) || !(KeepRule{Kind: KeepFirst}).FieldHeld(nil) {
		t.Error("FieldHeld")
	}
}
