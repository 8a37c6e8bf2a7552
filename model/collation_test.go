package model

import (
	"errors"
	"strings"
	"testing"
)

func TestCollationEquality(t *testing.T) {
	equal := func(c Collation, a, b string) bool {
		s := KeySpec{Fields: []string{"x"}, Collation: &c}
		return s.KeyID(IndexKey{Value(quote(a))}) == s.KeyID(IndexKey{Value(quote(b))})
	}
	cases := []struct {
		c    Collation
		a, b string
		want bool
	}{
		{Collation{Locale: "en", Strength: 2}, "Alice", "alice", true},
		{Collation{Locale: "en", Strength: 2}, "café", "cafe", false},
		{Collation{Locale: "en", Strength: 1}, "café", "CAFE", true},
		{Collation{Locale: "en"}, "Alice", "alice", false},
		{Collation{Locale: "en", Strength: 3, CaseLevel: true}, "a", "A", false},
		{Collation{Locale: "fr", Strength: 2, Backwards: true, CaseFirst: "upper"}, "Côte", "côte", true},
		{Collation{Locale: "en", Normalization: true}, "e\u0301", "\u00e9", true},
		{Collation{Locale: "en"}, "e\u0301", "\u00e9", true}, // both FCD: equal without normalizing
		{Collation{Locale: "en", Strength: 5}, "e\u0301", "\u00e9", true},
		{Collation{Locale: "en", Strength: 5}, "a", "A", false},
		{Collation{Locale: "es", Strength: 1}, "ñ", "n", false},
		{Collation{Locale: "en", Strength: 1}, "ñ", "n", true},
		{Collation{Locale: "de@collation=phonebook", Strength: 1}, "ä", "ae", true},
		{Collation{Locale: "de", Strength: 1}, "ä", "ae", false},
		{Collation{Locale: "it_IT", Strength: 2}, "Roma", "roma", true},
		{Collation{Locale: "simple"}, "a", "A", false},
	}
	for _, c := range cases {
		if got := equal(c.c, c.a, c.b); got != c.want {
			t.Errorf("%+v: %q == %q is %v, want %v", c.c, c.a, c.b, got, c.want)
		}
	}
	// Strings at any depth compare by the collation; a document's keys do not.
	s := KeySpec{Fields: []string{"x"}, Collation: &Collation{Locale: "en", Strength: 2}}
	a := keysOf(t, `{"x":{"n":["Bob",{"m":"EVE"}]}}`, s)
	b := keysOf(t, `{"x":{"n":["bob",{"m":"eve"}]}}`, s)
	c := keysOf(t, `{"x":{"N":["bob",{"m":"eve"}]}}`, s)
	if !s.Collide(a, b) || s.Collide(a, c) {
		t.Fatalf("nested strings: %v %v %v", a, b, c)
	}
}

func TestCollationRefusals(t *testing.T) {
	refused := []Collation{
		{Locale: "en", NumericOrdering: true},
		{Locale: "en", Alternate: "shifted"},
		{Locale: "en", Alternate: "shifted", MaxVariable: "space"},
		{Locale: "en", Strength: 2, CaseLevel: true},
		{Locale: "es@collation=search"},
		{Locale: "xx"},
		{Locale: "zh_Hans"},
	}
	for _, c := range refused {
		if err := c.Check(); !errors.Is(err, ErrCollationUnsupported) {
			t.Errorf("%+v: Check = %v, want a refusal", c, err)
		}
		if _, err := IndexKeys([]byte(`{"x":"a"}`), KeySpec{Fields: []string{"x"}, Collation: &c}); !errors.Is(err, ErrCollationUnsupported) {
			t.Errorf("%+v: IndexKeys = %v, want a refusal", c, err)
		}
	}
	invalid := []Collation{{}, {Locale: "en", Strength: 6}, {Locale: "en", CaseFirst: "x"}, {Locale: "simple", Strength: 2}}
	for _, c := range invalid {
		if err := c.Check(); err == nil || errors.Is(err, ErrCollationUnsupported) {
			t.Errorf("%+v: Check = %v, want invalid", c, err)
		}
	}
	accepted := []Collation{{Locale: "en", Strength: 4}, {Locale: "fr_CA", Backwards: true}, {Locale: "en_US_POSIX"},
		{Locale: "zh_Hant"}, {Locale: "en", MaxVariable: "space"}, {Locale: "pt_BR", CaseFirst: "lower"}}
	for _, c := range accepted {
		if err := c.Check(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	// normalization false: a string not in FCD form is refused, not guessed.
	s := KeySpec{Fields: []string{"x"}, Collation: &Collation{Locale: "en"}}
	if _, err := IndexKeys([]byte(`{"x":"a\u0301\u0323"}`), s); !errors.Is(err, ErrCollationUnsupported) {
		t.Errorf("non-FCD string without normalization: %v", err)
	}
	s.Collation.Normalization = true
	if _, err := IndexKeys([]byte(`{"x":"a\u0301\u0323"}`), s); err != nil {
		t.Errorf("non-FCD string with normalization: %v", err)
	}
}

func TestParseCollation(t *testing.T) {
	c, err := ParseCollation(`{"locale": "en", "strength": 2}`)
	if err != nil || c.Locale != "en" || c.Strength != 2 {
		t.Fatalf("got %+v, %v", c, err)
	}
	for in, want := range map[string]string{
		`{"locale": "en", "strenght": 2}`:           "unknown field",
		`{"strength": 2}`:                           "needs a locale",
		`{"locale": "en", "numericOrdering": true}`: "numericOrdering",
		`not json`: "not a collation document",
	} {
		if _, err := ParseCollation(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCollation(%s): %v, want an error naming %q", in, err, want)
		}
	}
}

// A collection's default collation reaches a plain key (the server and a unique index built
// without a collation compare under it), never a key from an index or a whole-document key,
// never over the key's own, and never one dupes cannot decide exactly.
func TestWithDefaultCollation(t *testing.T) {
	en2 := &Collation{Locale: "en", Strength: 2}
	col := Collection{NS: Namespace{DB: "shop", Coll: "users"}, Collation: en2}
	k, applied, err := (Key{Fields: []string{"email"}}).WithDefaultCollation(col)
	if err != nil || !applied || k.Collation != en2 {
		t.Fatalf("plain key: %+v, %v, %v", k.Collation, applied, err)
	}
	own := &Collation{Locale: "fr", Strength: 1}
	for name, key := range map[string]Key{
		"own collation": {Fields: []string{"email"}, Collation: own},
		"from an index": {Fields: []string{"email"}, Index: "email_1"},
		"whole":         {WholeDocument: true},
	} {
		k, applied, err := key.WithDefaultCollation(col)
		if err != nil || applied || k.Collation != key.Collation {
			t.Errorf("%s: %+v, %v, %v: want the key unchanged", name, k.Collation, applied, err)
		}
	}
	if _, applied, _ := (Key{Fields: []string{"email"}}).WithDefaultCollation(Collection{}); applied {
		t.Error("a collection without a default collation changed the key")
	}
	bad := Collection{NS: col.NS, Collation: &Collation{Locale: "en", NumericOrdering: true}}
	if _, _, err := (Key{Fields: []string{"email"}}).WithDefaultCollation(bad); err == nil || !strings.Contains(err.Error(), "shop.users") {
		t.Errorf("an undecidable default collation: %v, want a refusal naming the collection", err)
	}
}
