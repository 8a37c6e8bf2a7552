package mongo_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestCodeWithScopeKey: a key holding JavaScript with scope (CodeWithScope), directly, in an
// array, deep in a sub-document, or in one field of a compound key. FerretDB's DocumentDB
// crashes a PostgreSQL backend grouping such a value after $unwind (PostgreSQL then restarts
// every backend): dupes refuses the key there, naming the document, before the scan sends
// anything, and the server stays up; the filter the refusal suggests makes the key scannable,
// and that scan runs. MongoDB groups the values: no refusal. mongo-java-server cannot store
// one at all (the insert drops the connection), which is asserted, and the rest skipped.
func TestCodeWithScopeKey(t *testing.T) {
	cws := bson.CodeWithScope{Code: "function () { return x }", Scope: bson.D{{Key: "x", Value: int32(1)}}}
	cases := []struct {
		name   string
		fields []string
		value  any
		// filtered: the refusal suggests a filter on the value's type, not on the _id.
		filtered bool
	}{
		{"the value", []string{"k"}, cws, true},
		{"in an array", []string{"k"}, bson.A{int32(1), cws}, true},
		{"deep in a sub-document", []string{"k"}, bson.D{{Key: "a", Value: bson.D{{Key: "b", Value: cws}}}}, false},
		{"in an array in an array", []string{"k"}, bson.A{bson.A{cws}}, false},
		{"one field of a compound key", []string{"e", "k"}, cws, true},
		{"under a dotted path", []string{"k.a"}, bson.D{{Key: "a", Value: cws}}, true},
	}
	ctx := context.Background()
	if mongotest.JavaServer() {
		_, db := connect(t)
		_, err := coll(t, db, "users").InsertOne(ctx, bson.D{{Key: "k", Value: cws}})
		if err == nil {
			t.Fatal("mongo-java-server stored a CodeWithScope: this test now has cases to run there")
		}
		mongotest.Skipf(t, "mongo-java-server cannot store a CodeWithScope (the insert drops the connection: %v)", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, db := connect(t)
			insert(t, db, "users",
				bson.D{{Key: "_id", Value: int32(1)}, {Key: "e", Value: "a"}, {Key: "k", Value: tc.value}},
				bson.D{{Key: "_id", Value: int32(2)}, {Key: "e", Value: "a"}, {Key: "k", Value: tc.value}},
				bson.D{{Key: "_id", Value: int32(3)}, {Key: "e", Value: "a"}, {Key: "k", Value: bson.D{{Key: "a", Value: "plain"}}}},
				bson.D{{Key: "_id", Value: int32(4)}, {Key: "e", Value: "a"}, {Key: "k", Value: bson.D{{Key: "a", Value: "plain"}}}})
			ns := model.Namespace{DB: db, Coll: "users"}
			key := model.Key{Fields: tc.fields}
			e, err := c.Engine(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = c.RefuseCodeWithScope(ctx, ns, key)
			if e.GroupCodeWithScope {
				if err != nil {
					t.Fatalf("%s groups CodeWithScope, yet the key was refused: %v", e, err)
				}
				if groups := scanAll(t, c, ns, key); len(groups) != 2 {
					t.Fatalf("scan on %s: %d groups, want 2", e, len(groups))
				}
				return
			}
			if !errors.Is(err, mongo.ErrCodeWithScope) {
				t.Fatalf("%s crashes grouping CodeWithScope, and the key was not refused: %v", e, err)
			}
			msg := err.Error()
			for _, want := range []string{"document _id 1 holds one under the key " + key.String(), e.String(), "--filter"} {
				if !strings.Contains(msg, want) {
					t.Errorf("refusal %q does not say %q", msg, want)
				}
			}
			filter := `{_id: {$ne: 1}}`
			if tc.filtered {
				filter = `{"` + tc.fields[len(tc.fields)-1] + `": {$not: {$type: "javascriptWithScope"}}}`
			}
			if !strings.Contains(msg, filter) {
				t.Fatalf("refusal %q does not suggest the filter %s", msg, filter)
			}
			// The scan itself asks first (ScanWith), so it never sends the $group that crashes.
			if _, err := c.Scan(ctx, ns, key); !errors.Is(err, mongo.ErrCodeWithScope) {
				t.Fatalf("the scan on %s was not refused: %v", e, err)
			}
			if _, err := c.DuplicateCount(ctx, ns, key); !errors.Is(err, mongo.ErrCodeWithScope) {
				t.Fatalf("the count on %s was not refused: %v", e, err)
			}
			// The census's sample counts distinct values on the client, never by $addToSet.
			if _, err := c.SampleDistinct(ctx, ns, tc.fields, 0); err != nil {
				t.Fatalf("sampling the fields: %v", err)
			}
			if err := mongotest.Client(t).Ping(ctx, nil); err != nil {
				t.Fatalf("the server is down after the refusal: %v", err)
			}

			// The filter suggested: the key is scannable, and the scan runs. Where the filter
			// leaves document 2 (the _id filter), the check refuses that one in turn.
			if key.Filter, err = model.ParseFilter(filter); err != nil {
				t.Fatalf("the filter suggested, %s: %v", filter, err)
			}
			err = c.RefuseCodeWithScope(ctx, ns, key)
			if !tc.filtered {
				if !errors.Is(err, mongo.ErrCodeWithScope) || !strings.Contains(err.Error(), "document _id 2 ") {
					t.Fatalf("with %s: %v, want document 2 refused", filter, err)
				}
				key.Filter = `{"_id": {"$gt": 2}}`
				err = c.RefuseCodeWithScope(ctx, ns, key)
			}
			if err != nil {
				t.Fatalf("with %s: %v", key.Filter, err)
			}
			if groups := scanAll(t, c, ns, key); len(groups) != 1 || len(groups[0].IDs) != 2 {
				t.Fatalf("scan with %s: %+v, want one group of documents 3 and 4", key.Filter, groups)
			}
		})
	}
}
