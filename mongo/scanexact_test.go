package mongo_test

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func dec(s string) bson.Decimal128 {
	d, err := bson.ParseDecimal128(s)
	if err != nil {
		panic(err)
	}
	return d
}

// exactValues are key values an engine's $group may compare unlike MongoDB's unique index:
// numbers equal by value in other types or forms (DocumentDB after $unwind compares decimals,
// NaN and -2^63 by representation; mongo-java-server compares numbers as doubles), undefined
// beside null and [] (MongoDB's index keys undefined like [], apart from null), the same
// inside documents and arrays, and doubles in exponent form.
func exactValues() []any {
	return []any{
		int64(math.MinInt64), -float64(1 << 63), dec("-9223372036854775808"),
		dec("0.1"), dec("0.10"), 0.1,
		math.NaN(), dec("NaN"), dec("-NaN"),
		math.Inf(1), dec("Infinity"), math.Inf(-1), dec("-Infinity"),
		1.5, dec("1.5"), dec("1.50"),
		1e300, dec("1E+300"), dec("1.0E+300"),
		1e20, dec("1E+20"), dec("100000000000000000000"),
		int64(math.MaxInt64), float64(1 << 63), dec("9223372036854775807"), dec("9223372036854775808"),
		int64(1<<53 + 1), float64(1 << 53), dec("9007199254740993"),
		int32(0), 0.0, math.Copysign(0, -1), dec("0"), dec("-0"), dec("0E-10"),
		1e6, dec("1E+6"), int32(1000000), 5e-5, dec("0.00005"), dec("5E-5"),
		bson.Undefined{}, nil, bson.A{}, bson.A{bson.Undefined{}}, bson.A{nil},
		bson.A{bson.A{}}, bson.A{bson.A{bson.Undefined{}}}, bson.A{bson.A{nil}},
		bson.D{{Key: "x", Value: bson.Undefined{}}}, bson.D{{Key: "x", Value: nil}},
		bson.D{{Key: "x", Value: dec("0.1")}}, bson.D{{Key: "x", Value: dec("0.10")}},
		bson.D{{Key: "x", Value: int32(1)}}, bson.D{{Key: "x", Value: 1.0}},
		bson.D{{Key: "x", Value: math.NaN()}}, bson.D{{Key: "x", Value: dec("NaN")}},
		bson.D{{Key: "x", Value: int64(math.MinInt64)}}, bson.D{{Key: "x", Value: -float64(1 << 63)}},
		bson.A{bson.A{dec("0.1")}}, bson.A{bson.A{dec("0.10")}},
	}
}

// exactKeys scan the values as a plain field, inside a compound key (the tuple shape), on a
// dotted path, and sparse.
var exactKeys = []model.Key{
	{Fields: []string{"k"}},
	{Fields: []string{"k", "z"}},
	{Fields: []string{"d.k"}},
	{Fields: []string{"k"}, Sparse: true},
}

// TestScanGroupsAsIndexKeysDecide: the FerretDB number cases, undefined beside null, and
// every other value above group exactly as model.IndexKeys decides, on every engine. The
// oracle reads the documents back from the server, so a value the engine stores otherwise
// (mongo-java-server keeps undefined as null) is judged as stored.
func TestScanGroupsAsIndexKeysDecide(t *testing.T) {
	c, db := connect(t)
	var docs []bson.D
	for i, v := range exactValues() {
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "k", Value: v}, {Key: "d", Value: bson.D{{Key: "k", Value: v}}}})
	}
	docs = append(docs, bson.D{{Key: "_id", Value: int32(len(docs))}}) // missing: null, or no key when sparse
	insert(t, db, "exact", docs...)
	stored := map[string]string{}
	for id, d := range rawDocs(t, db, "exact") {
		js, err := bson.MarshalExtJSON(d, true, false)
		if err != nil {
			t.Fatal(err)
		}
		stored[id] = string(js)
	}
	ns := model.Namespace{DB: db, Coll: "exact"}
	groups := 0
	for _, key := range exactKeys {
		want, _ := expectGroups(t, key, stored)
		got, _, problems := scanGroups(t, c, ns, key)
		for _, p := range problems {
			t.Errorf("key %s: %s", key, p)
		}
		for kid, ids := range want {
			if g := got[kid]; strings.Join(g, " ") != strings.Join(ids, " ") {
				t.Errorf("key %s: key %q\n got %v\nwant %v\n%s", key, kid, g, ids, showDocs(stored, ids, g))
			}
		}
		for kid, ids := range got {
			if _, ok := want[kid]; !ok {
				t.Errorf("key %s: key %q is no duplicate group, scan says %v\n%s", key, kid, ids, showDocs(stored, ids, nil))
			}
		}
		groups += len(want)
	}
	if !mongotest.JavaServer() {
		// The values this test is about are all there to be compared.
		n := 0
		for _, js := range stored {
			if strings.Contains(js, `"$undefined"`) {
				n++
			}
		}
		if n == 0 {
			t.Fatal("the server stored no undefined value")
		}
	}
	t.Logf("%d values, %d keys: %d groups, each as model.IndexKeys decides", len(docs), len(exactKeys), groups)
}

// TestScanHeldGroupsComeInBatches: the groups a scan holds to the end (suspect keys, on the
// engines that regroup) still come at most max at a time, then io.EOF.
func TestScanHeldGroupsComeInBatches(t *testing.T) {
	c, db := connect(t)
	var docs []bson.D
	for i, v := range []any{dec("0.1"), dec("0.10"), 1.5, dec("1.50"), math.NaN(), dec("NaN"), "a", "a"} {
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "k", Value: v}})
	}
	insert(t, db, "held", docs...)
	cur, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "held"}, model.Key{Fields: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	var keys []string
	for {
		gs, err := cur.NextBatch(context.Background(), 1)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(gs) != 1 {
			t.Fatalf("NextBatch(1) gave %d groups", len(gs))
		}
		keys = append(keys, string(gs[0].Key[0]))
	}
	if len(keys) != 4 {
		t.Fatalf("groups %v, want 4 (0.1, 1.5, NaN, \"a\")", keys)
	}
}
