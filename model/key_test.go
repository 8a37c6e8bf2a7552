package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseNamespace(t *testing.T) {
	ns, err := ParseNamespace("shop.users.archive")
	if err != nil || ns.DB != "shop" || ns.Coll != "users.archive" {
		t.Fatalf("got %+v, %v", ns, err)
	}
	for _, bad := range []string{"", "shop", ".users", "shop."} {
		if _, err := ParseNamespace(bad); err == nil {
			t.Errorf("ParseNamespace(%q) accepted", bad)
		}
	}
	b, _ := json.Marshal(ns)
	var back Namespace
	if err := json.Unmarshal(b, &back); err != nil || back != ns {
		t.Fatalf("round trip: %s -> %+v, %v", b, back, err)
	}
}

func TestParseFields(t *testing.T) {
	got, err := ParseFields(" email , address.city ")
	if err != nil || strings.Join(got, "|") != "email|address.city" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", " , ", "$email", "a..b", "a.", ".a", "a,a"} {
		if _, err := ParseFields(bad); err == nil {
			t.Errorf("ParseFields(%q) accepted", bad)
		}
	}
}

func TestSemantics(t *testing.T) {
	plain := Key{Fields: []string{"email"}}
	if got := plain.Semantics(); got != "exact; missing = null" {
		t.Errorf("plain: %q", got)
	}
	ix := Index{Name: "email_1", Fields: []string{"email"}, Unique: true, Sparse: true,
		Collation: &Collation{Locale: "en", Strength: 2}}
	got := ix.Key().Semantics()
	for _, want := range []string{"index-exact (email_1)", "sparse", "collation en strength 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("index semantics %q lacks %q", got, want)
		}
	}
	loose := Key{Fields: []string{"a", "b"}, IgnoreCase: true, Trim: true}
	if got := loose.Semantics(); !strings.Contains(got, "ignore case") || !strings.Contains(got, "trim") {
		t.Errorf("loose: %q", got)
	}
	if loose.String() != "(a, b)" || plain.String() != "email" {
		t.Errorf("String: %q %q", loose.String(), plain.String())
	}
}

func TestCollationCaseInsensitive(t *testing.T) {
	cases := map[*Collation]bool{
		nil:                         false,
		{Locale: "en", Strength: 2}: true,
		{Locale: "en", Strength: 1}: true,
		{Locale: "en", Strength: 3}: false,
		{Locale: "simple"}:          false,
		{Locale: "en", Strength: 2, CaseLevel: true}: false,
	}
	for c, want := range cases {
		if got := c.CaseInsensitive(); got != want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
}

func TestCanDelete(t *testing.T) {
	ns := Namespace{DB: "d", Coll: "c"}
	if err := (Collection{NS: ns, Type: TypeCollection}).CanDelete(); err != nil {
		t.Errorf("plain collection refused: %v", err)
	}
	refused := []Collection{
		{NS: ns, Type: TypeView},
		{NS: ns, Type: TypeTimeseries},
		{NS: ns, Type: TypeCollection, Capped: true},
		{NS: Namespace{DB: "d", Coll: "system.profile"}, Type: TypeCollection},
		{NS: ns, Type: "weird"},
	}
	for _, c := range refused {
		if err := c.CanDelete(); err == nil {
			t.Errorf("%+v accepted for deletes", c)
		}
	}
}

func TestFieldInfoFillRate(t *testing.T) {
	if r := (FieldInfo{Present: 3, Sampled: 4}).FillRate(); r != 0.75 {
		t.Errorf("fill rate %v", r)
	}
	if r := (FieldInfo{}).FillRate(); r != 0 {
		t.Errorf("empty sample fill rate %v", r)
	}
}
