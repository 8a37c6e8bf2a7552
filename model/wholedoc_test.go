package model

import (
	"errors"
	"strings"
	"testing"
)

func TestWholeDocumentKeys(t *testing.T) {
	key := Key{WholeDocument: true, Ignore: []string{"importedAt"}}
	cases := []struct {
		name string
		a, b string
		key  Key
		same bool
	}{
		{"identical but _id and the ignored field", `{"_id":1,"n":"a","importedAt":1}`, `{"_id":2,"n":"a","importedAt":2}`, key, true},
		{"a field differs", `{"_id":1,"n":"a"}`, `{"_id":2,"n":"b"}`, key, false},
		{"int32 1 and double 1.0", `{"_id":1,"n":{"$numberInt":"1"}}`, `{"_id":2,"n":{"$numberDouble":"1.0"}}`, key, true},
		{"int64 and decimal deep inside", `{"_id":1,"a":{"b":[{"$numberLong":"2"}]}}`, `{"_id":2,"a":{"b":[{"$numberDecimal":"2.0"}]}}`, key, true},
		{"string and number apart", `{"_id":1,"n":"1"}`, `{"_id":2,"n":1}`, key, false},
		{"null and missing apart", `{"_id":1,"n":null}`, `{"_id":2}`, key, false},
		{"a field only one has", `{"_id":1,"n":1}`, `{"_id":2,"n":1,"m":1}`, key, false},
		{"field order counts", `{"_id":1,"a":1,"b":2}`, `{"_id":2,"b":2,"a":1}`, key, false},
		{"any field order", `{"_id":1,"a":1,"b":2}`, `{"_id":2,"b":2,"a":1}`, Key{WholeDocument: true, AnyFieldOrder: true}, true},
		{"any field order stops at the top level", `{"_id":1,"s":{"a":1,"b":2}}`, `{"_id":2,"s":{"b":2,"a":1}}`, Key{WholeDocument: true, AnyFieldOrder: true}, false},
		{"the ignored field anywhere in order", `{"_id":1,"importedAt":1,"n":"a"}`, `{"_id":2,"n":"a","importedAt":2}`, key, true},
		{"nothing but _id", `{"_id":1}`, `{"_id":2,"importedAt":3}`, key, true},
	}
	for _, c := range cases {
		got, err := sameDocument([]byte(c.a), []byte(c.b), c.key)
		if err != nil || got != c.same {
			t.Errorf("%s: sameDocument = %v, %v; want %v", c.name, got, err, c.same)
		}
	}
	keys, err := IndexKeys([]byte(`{"_id":1,"b":2,"importedAt":0,"a":{"$numberInt":"1"}}`), Key{WholeDocument: true, Ignore: []string{"importedAt"}, AnyFieldOrder: true}.Spec())
	if err != nil || len(keys) != 1 || string(keys[0][0]) != `{"a":{"$numberInt":"1"},"b":{"$numberInt":"2"}}` {
		t.Errorf("IndexKeys = %v, %v", keys, err)
	}
	if (Group{Key: []Value{`{}`}}).LacksKey() {
		t.Error("a whole-document group lacks its key")
	}
}

func TestWholeDocumentValidate(t *testing.T) {
	good := Key{WholeDocument: true, Ignore: []string{"importedAt", "batch"}, Filter: `{"x":1}`}
	if err := good.Validate(); err != nil || good.Width() != 1 {
		t.Fatalf("valid key refused: %v", err)
	}
	if s := good.Semantics(); !strings.Contains(s, "_id, importedAt, batch") || !strings.Contains(s, "field order counts") {
		t.Errorf("semantics: %s", s)
	}
	for _, k := range []Key{
		{WholeDocument: true, Fields: []string{"a"}},
		{WholeDocument: true, Ignore: []string{"_id"}},
		{WholeDocument: true, Ignore: []string{"a.b"}},
		{WholeDocument: true, Ignore: []string{"a", "a"}},
		{WholeDocument: true, Ignore: []string{"$a"}},
		{WholeDocument: true, IgnoreCase: true},
		{WholeDocument: true, Index: "x_1"},
		{Ignore: []string{"a"}, Fields: []string{"b"}},
		{AnyFieldOrder: true, Fields: []string{"b"}},
	} {
		if err := k.Validate(); err == nil {
			t.Errorf("%+v: accepted", k)
		}
	}
	// A plan carries the whole-document key and its one-value group keys.
	p := Plan{Version: PlanVersion, NS: Namespace{"d", "c"}, Key: good, Groups: []PlanGroup{{Key: []Value{`{"n":"a"}`}, Keep: "1", Delete: []Value{"2"}}}}
	b, err := EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodePlan(b)
	if err != nil || !back.Key.WholeDocument || len(back.Key.Ignore) != 2 {
		t.Errorf("plan round trip: %v %+v", err, back.Key)
	}
}

// sameDocument asks the key generator, as the guard does, whether two documents (Extended
// JSON) are duplicates under a whole-document key: equal ignoring _id and the ignored fields.
func sameDocument(a, b []byte, k Key) (bool, error) {
	if !k.WholeDocument {
		return false, errors.New("not a whole-document key")
	}
	spec := k.Spec()
	ka, err := IndexKeys(a, spec)
	if err != nil {
		return false, err
	}
	kb, err := IndexKeys(b, spec)
	if err != nil {
		return false, err
	}
	return spec.Collide(ka, kb), nil
}
