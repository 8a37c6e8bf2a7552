package mongo

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestGuardedDelete pins the statement's shape: _id first (so the server finds the document
// through the _id index), the whole document as a literal, and a binary collation exactly
// when the collection has a default one. Neither test engine keeps a collection's default
// collation, so the live tests cannot reach that case.
func TestGuardedDelete(t *testing.T) {
	doc, err := bson.Marshal(bson.D{{Key: "_id", Value: int32(7)}, {Key: "email", Value: "A@x.com"}, {Key: "$odd", Value: "$notAPath"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := bson.MarshalExtJSON(guardFilter(doc, time.Time{}), true, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_id":{"$numberInt":"7"},"$expr":{"$eq":["$$ROOT",{"$literal":{"_id":{"$numberInt":"7"},"email":"A@x.com","$odd":"$notAPath"}}]}}`
	if string(got) != want {
		t.Errorf("guard filter\n got %s\nwant %s", got, want)
	}
	// With a fence, the same test and $$NOW before the batch's deadline.
	fence := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	got, err = bson.MarshalExtJSON(guardFilter(doc, fence), true, false)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"_id":{"$numberInt":"7"},"$expr":{"$and":[{"$eq":["$$ROOT",{"$literal":{"_id":{"$numberInt":"7"},"email":"A@x.com","$odd":"$notAPath"}}]},` +
		`{"$lt":["$$NOW",{"$date":{"$numberLong":"1796612400000"}}]}]}}`
	if string(got) != want {
		t.Errorf("fenced guard filter\n got %s\nwant %s", got, want)
	}
	if m := guardedDelete(doc, false, time.Time{}); m.Collation != nil {
		t.Errorf("collation sent without a default collation: %+v", m.Collation)
	}
	if m := guardedDelete(doc, true, time.Time{}); m.Collation == nil || m.Collation.Locale != "simple" {
		t.Errorf("under a default collation the guard must compare binary: %+v", m.Collation)
	}
}
