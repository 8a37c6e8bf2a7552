package mongo

import (
	"testing"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// collationFrom reads every option of a collection's (or an index's) collation, and "simple"
// as none. Neither test engine lists a collection's default collation, so this is its test.
func TestCollationFrom(t *testing.T) {
	raw := func(d bson.D) bson.Raw {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	got := collationFrom(raw(bson.D{{Key: "capped", Value: false}, {Key: "collation", Value: bson.D{
		{Key: "locale", Value: "fr"}, {Key: "caseLevel", Value: true}, {Key: "caseFirst", Value: "upper"},
		{Key: "strength", Value: int32(3)}, {Key: "numericOrdering", Value: true}, {Key: "alternate", Value: "shifted"},
		{Key: "maxVariable", Value: "punct"}, {Key: "normalization", Value: true}, {Key: "backwards", Value: true},
		{Key: "version", Value: "57.1"},
	}}}))
	want := model.Collation{Locale: "fr", Strength: 3, CaseLevel: true, CaseFirst: "upper", NumericOrdering: true,
		Alternate: "shifted", MaxVariable: "punct", Backwards: true, Normalization: true}
	if got == nil || *got != want {
		t.Fatalf("read %+v, want %+v", got, want)
	}
	if c := collationFrom(raw(bson.D{{Key: "collation", Value: bson.D{{Key: "locale", Value: "simple"}}}})); c != nil {
		t.Fatalf("simple read as %+v", c)
	}
	if c := collationFrom(raw(bson.D{{Key: "capped", Value: true}})); c != nil {
		t.Fatalf("no collation read as %+v", c)
	}
}
