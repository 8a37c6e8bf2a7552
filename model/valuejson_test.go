package model

import (
	"encoding/json"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A Value read back from JSON has the driver's spelling, whoever wrote the JSON: values are
// compared and looked up by their text, so an _id "AT&T" written as "AT\u0026T" by
// encoding/json must not come back as another id.
func TestValueReadBackFromJSONIsTheDriversSpelling(t *testing.T) {
	s := "AT&T <b> \u2028\u202e\x1b\x7f\"\\ é"
	_, body, err := bson.MarshalValue(s)
	if err != nil {
		t.Fatal(err)
	}
	want := MustValueOf(bson.RawValue{Type: bson.TypeString, Value: body})
	sub := MustValueOf(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: bson.Raw(valueDocBytes(t, bson.D{{Key: s, Value: s}}))})

	for _, v := range []Value{want, sub} {
		escaped, err := json.Marshal(map[string]Value{"v": v}) // HTML-escaping, as MarshalIndent
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]Value
		if err := json.Unmarshal(escaped, &back); err != nil || back["v"] != v {
			t.Errorf("%s read back from %s as %s (%v)", v, escaped, back["v"], err)
		}
	}

	p := Plan{NS: Namespace{DB: "db", Coll: "c"}, Key: Key{Fields: []string{"k"}},
		Groups: []PlanGroup{{Key: []Value{sub}, Keep: want, Delete: []Value{Value(`"x"`)}}}}
	b, err := EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "AT&T <b>") {
		t.Errorf("the plan file escapes what the driver does not:\n%s", b)
	}
	q, err := DecodePlan(b)
	if err != nil || q.Groups[0].Keep != want || q.Groups[0].Key[0] != sub || q.Digest() != p.Digest() {
		t.Errorf("plan read back: %v %+v", err, q.Groups)
	}
}

func valueDocBytes(t *testing.T, d bson.D) []byte {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
