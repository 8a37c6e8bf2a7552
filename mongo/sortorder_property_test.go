package mongo_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// sortValues is how many random values the server sorts for the comparison property test.
const sortValues = 10000

// sortExclusion is a class of values an engine sorts unlike MongoDB: values holding one, at any
// depth, are left out of the comparison on that engine, and counted.
type sortExclusion struct {
	class  string
	reason string
}

// sortExclusions names, per engine, the value classes it sorts unlike MongoDB. MongoDB itself
// has none: there every value is compared.
var sortExclusions = map[string][]sortExclusion{
	"mongo-java-server": {
		{"document", "orders documents nested in the sort field unlike MongoDB: {a: …, c: …} before {}"},
		{"array", "orders arrays nested in the sort field unlike MongoDB: [MinKey, 1] before [MinKey], and equal empty arrays out of _id order"},
		{"double-special", "-Infinity sorts equal to the long and the double -2^63, +Infinity to the long 2^63-1"},
		{"double-large", "doubles beyond the long range (2^63, ±1e300) sort equal to the long extremes"},
		{"decimal", "compares decimals as doubles: decimal 0.1 = double 0.1, 1E-6176 = 0, 9007199254740993 = 2^53"},
		{"decimal-special", "compares decimals as doubles, so decimal ±Infinity meet the long extremes as double ±Infinity do"},
		{"symbol", "cannot store it: the server closes the connection on the insert"},
		{"dbPointer", "cannot store it: the server closes the connection on the insert"},
		{"codeWithScope", "cannot store it: the server closes the connection on the insert"},
		{"binary-md5", "cannot store binary subtype 5: the server closes the connection on the insert"},
		{"undefined", "stores it as null"},
		{"binary-user", "stores user-defined binary subtypes (128, 255) as subtype 0"},
		{"regex", "cannot sort it: $sort fails with \"can't compare class BsonRegularExpression\""},
		{"code", "cannot sort it: $sort fails with \"can't sort class BsonJavaScript\""},
	},
	"FerretDB": {
		{"undefined", "sorts undefined equal to null (MongoDB: undefined below null)"},
		{"dbPointer", "orders DBPointers by namespace, not by value size first: \"aa\" before \"b\""},
	},
}

// sortEngine names the engine the tests run on, as sortExclusions does.
func sortEngine(t *testing.T) string {
	switch {
	case mongotest.JavaServer():
		return "mongo-java-server"
	case mongotest.FerretDB(t):
		return "FerretDB"
	}
	return "MongoDB"
}

// TestCompareAgreesWithServerSort requires model.CompareRaw to order random values of every
// BSON type, nested documents and arrays included, exactly as the server's $sort does. Each
// value is stored as {_id: i, w: {x: value}}: sorting on the sub-document w compares the
// value whole (an array directly under the sort field would sort by its smallest element).
// Ties go by _id, so values the server finds equal must also be equal to CompareRaw.
func TestCompareAgreesWithServerSort(t *testing.T) {
	engine := sortEngine(t)
	excluded := map[string]string{}
	for _, e := range sortExclusions[engine] {
		excluded[e.class] = e.reason
	}
	gen := sortGen{r: rand.New(rand.NewPCG(19, 2026))}
	var docs []any
	vals := map[int32]bson.RawValue{}
	skipped := map[string]int{}
	for i := range sortValues {
		classes := map[string]bool{}
		v := gen.value(0, classes)
		if holdsExcluded(classes, excluded, skipped) {
			continue
		}
		doc, err := bson.Marshal(bson.D{{Key: "_id", Value: int32(i)}, {Key: "w", Value: bson.D{{Key: "x", Value: v}}}})
		if err != nil {
			t.Fatalf("marshal value %d (%v): %v", i, v, err)
		}
		vals[int32(i)] = bson.Raw(doc).Lookup("w", "x")
		docs = append(docs, bson.Raw(doc))
	}
	for _, e := range sortExclusions[engine] {
		t.Logf("%s: excluded %s (held by %d values): %s", engine, e.class, skipped[e.class], e.reason)
	}
	coll := mongotest.DB(t).Collection("sortorder")
	mongotest.InsertMany(t, coll, docs)

	ctx := context.Background()
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "w", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatalf("find sorted: %v", err)
	}
	var got []int32
	for cur.Next(ctx) {
		id := cur.Current.Lookup("_id").Int32()
		if !cur.Current.Lookup("w", "x").Equal(vals[id]) {
			t.Fatalf("_id %d came back as %s, stored %s", id, string(model.MustValueOf(cur.Current.Lookup("w", "x"))), string(model.MustValueOf(vals[id])))
		}
		got = append(got, id)
	}
	if err := cur.Err(); err != nil {
		t.Fatalf("read sorted: %v", err)
	}
	if len(got) != len(docs) {
		t.Fatalf("the server returned %d documents, %d stored", len(got), len(docs))
	}
	bad := 0
	for i := 1; i < len(got); i++ {
		p, n := got[i-1], got[i]
		c := model.CompareRaw(vals[p], vals[n])
		if cv := model.Compare(model.MustValueOf(vals[p]), model.MustValueOf(vals[n])); cv != c {
			t.Errorf("Compare gives %d, CompareRaw %d: %s vs %s", cv, c,
				string(model.MustValueOf(vals[p])), string(model.MustValueOf(vals[n])))
		}
		if c < 0 || (c == 0 && p < n) {
			continue
		}
		if bad++; bad <= 20 {
			t.Errorf("the server sorts _id %d before _id %d, CompareRaw gives %d:\n  %s\n  %s",
				p, n, c, string(model.MustValueOf(vals[p])), string(model.MustValueOf(vals[n])))
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d adjacent pairs out of CompareRaw's order", engine, bad, len(got)-1)
	}
	t.Logf("%s: %d values compared with $sort (%d generated, %d excluded)", engine, len(got), sortValues, sortValues-len(got))
}

// holdsExcluded reports whether a value holding classes is excluded, counting it under each
// excluded class it holds (a value may hold several).
func holdsExcluded(classes map[string]bool, excluded map[string]string, count map[string]int) bool {
	hit := false
	for c := range classes {
		if _, ok := excluded[c]; ok {
			count[c]++
			hit = true
		}
	}
	return hit
}

// sortGen makes random BSON values of every type from small pools, so that equal values,
// equal prefixes and numbers equal across types come up often.
type sortGen struct{ r *rand.Rand }

// sortClasses are the classes of generated values; the names are what sortExclusions uses.
var sortClasses = []string{
	"minKey", "maxKey", "undefined", "null", "int32", "int64", "double", "double-large", "double-special",
	"decimal", "decimal-special", "string", "symbol", "document", "array", "binary", "binary-user",
	"binary-uuid", "binary-md5", "objectId",
	"bool", "date", "timestamp", "regex", "dbPointer", "code", "codeWithScope",
}

func (g sortGen) pick(n int) int { return g.r.IntN(n) }

func (g sortGen) value(depth int, classes map[string]bool) any {
	class := sortClasses[g.pick(len(sortClasses))]
	for depth >= 3 && (class == "document" || class == "array" || class == "codeWithScope") {
		class = sortClasses[g.pick(len(sortClasses))]
	}
	classes[class] = true
	switch class {
	case "minKey":
		return bson.MinKey{}
	case "maxKey":
		return bson.MaxKey{}
	case "undefined":
		return bson.Undefined{}
	case "null":
		return nil
	case "int32":
		return []int32{-2, -1, 0, 1, 2, 3, math.MaxInt32, math.MinInt32}[g.pick(8)]
	case "int64":
		return []int64{-2, 0, 1, 3, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64}[g.pick(8)]
	case "double":
		return []float64{-2, 0, math.Copysign(0, -1), 0.1, 0.5, 1, 2.5, 3, 1 << 53, 1<<53 + 2,
			5e-324, -(1 << 63)}[g.pick(12)]
	case "double-large":
		return []float64{1 << 63, 1e300, -1e300}[g.pick(3)]
	case "double-special":
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[g.pick(3)]
	case "decimal":
		return g.decimal([]string{"0", "-0", "1", "1.0", "1.00", "0.1", "0.10", "2.5", "-2",
			"9007199254740993", "1E+3", "1000", "9223372036854775808", "1E-6176", "1E+6144"})
	case "decimal-special":
		return g.decimal([]string{"NaN", "Infinity", "-Infinity"})
	case "string":
		return g.text()
	case "symbol":
		return bson.Symbol(g.text())
	case "code":
		return bson.JavaScript(g.text())
	case "document":
		return g.doc(depth, classes)
	case "array":
		a := bson.A{}
		for range g.pick(4) {
			a = append(a, g.value(depth+1, classes))
		}
		return a
	case "binary":
		return bson.Binary{Subtype: 0, Data: g.bytes(3)}
	case "binary-user":
		return bson.Binary{Subtype: []byte{0x80, 0xff}[g.pick(2)], Data: g.bytes(3)}
	case "binary-uuid":
		return bson.Binary{Subtype: []byte{3, 4}[g.pick(2)], Data: g.bytes16()}
	case "binary-md5":
		return bson.Binary{Subtype: 5, Data: g.bytes16()}
	case "objectId":
		return g.oid()
	case "bool":
		return g.pick(2) == 1
	case "date":
		return bson.DateTime([]int64{-1 << 40, -1, 0, 1, 1 << 40}[g.pick(5)])
	case "timestamp":
		return bson.Timestamp{T: []uint32{0, 1, math.MaxUint32}[g.pick(3)], I: []uint32{0, 1, math.MaxUint32}[g.pick(3)]}
	case "regex":
		return bson.Regex{Pattern: []string{"", "a", "ab", "b"}[g.pick(4)], Options: []string{"", "i", "im", "m"}[g.pick(4)]}
	case "dbPointer":
		return bson.DBPointer{DB: []string{"a", "b", "aa"}[g.pick(3)], Pointer: g.oid()}
	case "codeWithScope":
		return bson.CodeWithScope{Code: bson.JavaScript(g.text()), Scope: g.doc(depth, classes)}
	}
	panic("unknown class " + class)
}

func (g sortGen) decimal(pool []string) bson.Decimal128 {
	s := pool[g.pick(len(pool))]
	d, err := bson.ParseDecimal128(s)
	if err != nil {
		panic(fmt.Sprintf("decimal %s: %v", s, err))
	}
	return d
}

func (g sortGen) text() string {
	var b strings.Builder
	for range g.pick(4) {
		b.WriteString([]string{"a", "b", "A", "\x00", "é"}[g.pick(5)])
	}
	return b.String()
}

// bytes makes up to n-1 bytes from a pool of three.
func (g sortGen) bytes(n int) []byte {
	b := make([]byte, g.pick(n))
	for i := range b {
		b[i] = []byte{0, 1, 255}[g.pick(3)]
	}
	return b
}

// bytes16 is the body of a UUID or an MD5 digest: 16 bytes, varied at both ends.
func (g sortGen) bytes16() []byte {
	b := make([]byte, 16)
	b[0] = []byte{0, 1, 255}[g.pick(3)]
	b[15] = []byte{0, 1}[g.pick(2)]
	return b
}

func (g sortGen) oid() bson.ObjectID {
	var id bson.ObjectID
	id[0] = []byte{0, 1, 255}[g.pick(3)]
	id[11] = []byte{0, 1}[g.pick(2)]
	return id
}

// doc makes a document of up to three fields with distinct names.
func (g sortGen) doc(depth int, classes map[string]bool) bson.D {
	d := bson.D{}
	names := []string{"", "a", "b", "c"}
	g.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, name := range names[:g.pick(4)] {
		d = append(d, bson.E{Key: name, Value: g.value(depth+1, classes)})
	}
	return d
}
