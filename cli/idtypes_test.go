package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// insertD adds documents in order, as bson.D (a map would reorder, and could not hold every type).
func (f fixture) insertD(coll string, docs ...bson.D) {
	f.t.Helper()
	ds := make([]any, len(docs))
	for i, d := range docs {
		ds[i] = d
	}
	mongotest.InsertMany(f.t, mongotest.Client(f.t).Database(f.db).Collection(coll), ds)
}

// rawIDs is the _ids left in a collection, as BSON values.
func (f fixture) rawIDs(coll string) []bson.RawValue {
	f.t.Helper()
	cur, err := mongotest.Client(f.t).Database(f.db).Collection(coll).Find(context.Background(), bson.D{})
	if err != nil {
		f.t.Fatal(err)
	}
	var docs []bson.Raw
	if err := cur.All(context.Background(), &docs); err != nil {
		f.t.Fatal(err)
	}
	var ids []bson.RawValue
	for _, d := range docs {
		ids = append(ids, d.Lookup("_id"))
	}
	return ids
}

func rawOf(t *testing.T, v any) bson.RawValue {
	t.Helper()
	typ, data, err := bson.MarshalValue(v)
	if err != nil {
		t.Fatalf("marshal %v: %v", v, err)
	}
	return bson.RawValue{Type: typ, Value: data}
}

func sameValue(a, b bson.RawValue) bool { return a.Type == b.Type && bytes.Equal(a.Value, b.Value) }

// TestResolveEveryIDType: for every _id type a collection can hold, three documents sharing
// a key resolve, with --keep first, to the one first in MongoDB's _id order (inserted last but
// one), end to end through the binary; the unique index then builds.
func TestResolveEveryIDType(t *testing.T) {
	f := newFixture(t)
	for _, k := range mongotest.IDKinds {
		t.Run(k.Name, func(t *testing.T) {
			coll := "ids_" + k.Name
			f.insertD(coll,
				bson.D{{Key: "_id", Value: k.Asc[2]}, {Key: "email", Value: "dup@x.com"}},
				bson.D{{Key: "_id", Value: k.Asc[1]}, {Key: "email", Value: "dup@x.com"}},
				bson.D{{Key: "_id", Value: k.Asc[0]}, {Key: "email", Value: "dup@x.com"}},
				bson.D{{Key: "_id", Value: k.Make(7)}, {Key: "email", Value: "other@x.com"}},
			)
			out, errOut, status := dupesBinary(t, "resolve", "--uri", f.uri, "--ns", f.ns(coll), "--key", "email",
				"--keep", "first", "--backup", t.TempDir(), "--yes", "--create-index")
			if status != 0 {
				t.Fatalf("resolve: status %d\n%s%s", status, out, errOut)
			}
			mustContain(t, "resolve", out, "unique index email_1")
			left := f.rawIDs(coll)
			first, other := rawOf(t, k.Asc[0]), rawOf(t, k.Make(7))
			if len(left) != 2 || !(sameValue(left[0], first) && sameValue(left[1], other) ||
				sameValue(left[1], first) && sameValue(left[0], other)) {
				t.Fatalf("left %v, want %s and %s\n%s%s", left, first, other, out, errOut)
			}
		})
	}
}

// keyCase is a key value of one BSON type; on mongo-java-server, refused says the scan
// must fail there (the emulator cannot compare the type in $group).
type keyCase struct {
	name    string
	v, u    any    // two different values of the type: v is held three times, u once
	key     any    // the index key of v, where not v itself (an array keys its elements)
	forms   [2]any // where set, two documents hold these, equal to v in other types or forms
	refused bool
}

func keyCases() []keyCase {
	dec := func(s string) bson.Decimal128 {
		d, err := bson.ParseDecimal128(s)
		if err != nil {
			panic(err)
		}
		return d
	}
	return []keyCase{
		{name: "double 1e6", v: 1e6, u: 2e7},
		{name: "double 2e7", v: 2e7, u: 1e6},
		{name: "double 5e-5", v: 5e-5, u: 5e-6},
		{name: "double 1e300", v: 1e300, u: -1e300},
		{name: "double 1.5e-300", v: 1.5e-300, u: math.MaxFloat64},
		{name: "decimal", v: dec("1.50E+10"), u: dec("-0.001")},
		{name: "int64", v: int64(1) << 62, u: int64(-1)},
		{name: "string", v: "a@x.com", u: "A@x.com"},
		{name: "binary", v: bson.Binary{Subtype: 4, Data: bytes.Repeat([]byte{7}, 16)}, u: bson.Binary{Data: []byte{7}}},
		{name: "timestamp", v: bson.Timestamp{T: 1<<31 + 5, I: 2}, u: bson.Timestamp{T: 5, I: 2}},
		{name: "date", v: bson.DateTime(-86400000), u: bson.DateTime(0)},
		{name: "objectId", v: bson.ObjectID{1, 2, 3}, u: bson.ObjectID{3, 2, 1}},
		{name: "bool", v: false, u: true},
		{name: "regex", v: bson.Regex{Pattern: "^a", Options: "i"}, u: bson.Regex{Pattern: "^a"}, refused: true},
		{name: "minKey", v: bson.MinKey{}, u: "x"},
		{name: "maxKey", v: bson.MaxKey{}, u: "x"},
		{name: "document", v: bson.D{{Key: "a", Value: 1e6}, {Key: "b", Value: bson.A{"x", 5e-5}}},
			u: bson.D{{Key: "b", Value: bson.A{"x", 5e-5}}, {Key: "a", Value: 1e6}}},
		{name: "nested array", v: bson.A{bson.A{1e300, "x"}}, u: bson.A{bson.A{"x", 1e300}}, key: bson.A{1e300, "x"}},
		// Values DocumentDB's $group (after $unwind) tells apart and MongoDB's index does not.
		{name: "decimal forms", v: dec("0.1"), forms: [2]any{dec("0.10"), dec("1E-1")}, u: dec("0.2")},
		{name: "-2^63 forms", v: int64(math.MinInt64), forms: [2]any{-float64(1 << 63), dec("-9223372036854775808")}, u: math.Inf(-1)},
		{name: "NaN forms", v: math.NaN(), forms: [2]any{dec("NaN"), dec("-NaN")}, u: math.Inf(1)},
	}
}

// scanOutput is scan --format json's output, as far as this test reads it.
type scanOutput struct {
	Groups []struct {
		Key   []json.RawMessage `json:"key"`
		Count int               `json:"count"`
		IDs   []json.RawMessage `json:"ids"`
	} `json:"groups"`
}

// TestKeysOfEveryType: a key value of every BSON type, doubles in exponent form included, is
// scanned, printed as canonical Extended JSON that reads back to the very same BSON value,
// resolved, and the unique index then builds.
func TestKeysOfEveryType(t *testing.T) {
	f := newFixture(t)
	java := mongotest.JavaServer()
	for i, kc := range keyCases() {
		t.Run(kc.name, func(t *testing.T) {
			coll := fmt.Sprintf("k%d", i)
			v1, v2 := kc.v, kc.v
			if kc.forms[0] != nil {
				v1, v2 = kc.forms[0], kc.forms[1]
			}
			f.insertD(coll,
				bson.D{{Key: "_id", Value: int32(3)}, {Key: "k", Value: kc.v}},
				bson.D{{Key: "_id", Value: int32(1)}, {Key: "k", Value: v1}},
				bson.D{{Key: "_id", Value: int32(4)}, {Key: "k", Value: kc.u}},
				bson.D{{Key: "_id", Value: int32(2)}, {Key: "k", Value: v2}},
			)
			out, errOut, status := dupesBinary(t, "scan", "--uri", f.uri, "--ns", f.ns(coll), "--key", "k", "--format", "json")
			if java && kc.refused {
				// The emulator cannot compare the type in $group: the scan fails, it does not
				// answer wrong.
				if status == 0 {
					t.Fatalf("mongo-java-server: scan of %s keys succeeded:\n%s", kc.name, out)
				}
				t.Logf("mongo-java-server refuses %s keys: %s", kc.name, strings.TrimSpace(errOut))
				return
			}
			if status != 0 {
				t.Fatalf("scan: status %d\n%s%s", status, out, errOut)
			}
			var got scanOutput
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("scan --format json is not JSON: %v\n%s", err, out)
			}
			if len(got.Groups) != 1 || got.Groups[0].Count != 3 || len(got.Groups[0].Key) != 1 {
				t.Fatalf("want one group of 3:\n%s", out)
			}
			key := got.Groups[0].Key[0]
			var back bson.Raw
			if err := bson.UnmarshalExtJSON([]byte(`{"k":`+string(key)+`}`), true, &back); err != nil {
				t.Fatalf("key %s is not canonical Extended JSON: %v", key, err)
			}
			want := rawOf(t, kc.v)
			if kc.key != nil {
				want = rawOf(t, kc.key)
			}
			if kc.forms[0] != nil {
				// Which form names the group is the server's choice; each is the value.
				want = rawOf(t, kc.forms[0])
				if got := back.Lookup("k"); model.CompareRaw(got, want) != 0 {
					t.Fatalf("key %s reads back as %s, want a value equal to %s", key, got, want)
				}
			} else if !sameValue(back.Lookup("k"), want) {
				t.Fatalf("key %s reads back as %s, want %s", key, back.Lookup("k"), want)
			}
			out, errOut, status = dupesBinary(t, "resolve", "--uri", f.uri, "--ns", f.ns(coll), "--key", "k",
				"--keep", "first", "--backup", t.TempDir(), "--yes", "--create-index")
			if status != 0 {
				t.Fatalf("resolve: status %d\n%s%s", status, out, errOut)
			}
			mustContain(t, "resolve", out, "unique index k_1")
			if n := f.count(coll); n != 2 {
				t.Fatalf("%d documents left, want 2\n%s", n, out)
			}
		})
	}
}

// TestResolveMixedIDTypes: one group whose _ids are of every type keeps, with --keep first,
// the first in MongoDB's order: numbers come before every other type, by value across types.
func TestResolveMixedIDTypes(t *testing.T) {
	f := newFixture(t)
	var docs []bson.D
	for i := len(mongotest.IDKinds) - 1; i >= 0; i-- {
		k := mongotest.IDKinds[i]
		id := k.Asc[0]
		switch k.Name {
		case "int64", "double":
			// Not NumberLong(-2^63) beside -1e300: mongo-java-server mishandles the pair
			// as _ids (its $group finds -2^63 equal to -Infinity; a resolve there keeps
			// -2^63 and reports it gone while it stays). MongoDB and DocumentDB do not.
			id = k.Asc[2]
		}
		docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "k", Value: "same"}})
	}
	f.insertD("mixed", docs...)
	out, errOut, status := dupesBinary(t, "resolve", "--uri", f.uri, "--ns", f.ns("mixed"), "--key", "k",
		"--keep", "first", "--backup", t.TempDir(), "--yes", "--create-index")
	if status != 0 {
		t.Fatalf("resolve: status %d\n%s%s", status, out, errOut)
	}
	// The least of the numbers (int32 -10, NumberLong(2^53), decimal -1E+3, the double 1e6)
	// is the decimal.
	left := f.rawIDs("mixed")
	if want := rawOf(t, mongotest.IDKindNamed("decimal").Asc[0]); len(left) != 1 || !sameValue(left[0], want) {
		t.Fatalf("left %v, want %s\n%s%s", left, want, out, errOut)
	}
}
