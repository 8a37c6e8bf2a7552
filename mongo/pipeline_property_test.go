package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The key specs the property test scans every batch under: single fields, dotted paths through
// arrays, compound keys (shared array prefix or not), positions, sparse, a loose mode.
var propertySpecs = []model.Key{
	{Fields: []string{"a"}},
	{Fields: []string{"a.b"}},
	{Fields: []string{"a", "b"}},
	{Fields: []string{"a.b", "a.c"}},
	{Fields: []string{"a.b", "c"}},
	{Fields: []string{"a.0"}},
	{Fields: []string{"a.0.b"}},
	{Fields: []string{"a.b.c"}},
	{Fields: []string{"a.b"}, Sparse: true},
	{Fields: []string{"c", "a.b"}, Sparse: true},
	{Fields: []string{"c"}, IgnoreCase: true},
}

// docGen makes random documents whose key values collide often: few field names, few values,
// the same number as int32, int64, double and decimal (in several forms), values of every
// BSON type an index keys, arrays of values, of arrays, of sub-documents; and _ids of every
// type a collection can hold (mongotest.IDKinds).
type docGen struct {
	r *rand.Rand
	// topArraysOnly puts arrays only in top-level fields (mongo-java-server: see below).
	topArraysOnly bool
	// noRegex leaves regular expressions out (mongo-java-server cannot compare them in $group).
	noRegex bool
}

// exotic are key values of every other BSON type, numbers equal by value in other types or
// forms, and doubles in exponent form: each drawn now and then.
var exotic = []any{
	dec("1"), dec("1.0"), dec("0.1"), dec("0.10"), 0.1, dec("1.5"), dec("1.50"),
	math.NaN(), dec("NaN"), int64(math.MinInt64), -float64(1 << 63), int64(1<<53 + 1), dec("9007199254740993"),
	1e6, dec("1E+6"), 5e-5, 1e300, dec("1E+300"), math.Inf(1), math.Copysign(0, -1),
	bson.Undefined{}, bson.MinKey{}, bson.MaxKey{},
	bson.Binary{Subtype: 4, Data: make([]byte, 16)}, bson.Binary{Data: []byte{1}},
	bson.Timestamp{T: 1, I: 2}, bson.Timestamp{T: 1<<31 + 1, I: 2},
	bson.DateTime(-1), bson.DateTime(0), bson.ObjectID{1}, bson.ObjectID{2},
	bson.Regex{Pattern: "x", Options: "i"}, bson.Regex{Pattern: "x"},
}

func (g *docGen) scalar() any {
	switch g.r.IntN(10) {
	case 0:
		return nil
	case 1:
		return int32(g.r.IntN(3))
	case 2:
		return int64(g.r.IntN(3))
	case 3:
		return float64(g.r.IntN(3))
	case 4:
		return 1.5
	case 5:
		return []string{"x", "y", "X"}[g.r.IntN(3)]
	case 6:
		return g.r.IntN(2) == 0
	case 7:
		for {
			v := exotic[g.r.IntN(len(exotic))]
			if _, re := v.(bson.Regex); !re || !g.noRegex {
				return v
			}
		}
	default:
		return []string{"x", "y"}[g.r.IntN(2)]
	}
}

func (g *docGen) value(depth int, top bool) any {
	if depth <= 0 {
		return g.scalar()
	}
	switch g.r.IntN(8) {
	case 0, 1:
		return g.sub(depth - 1)
	case 2, 3:
		if g.topArraysOnly && !top {
			return g.scalar()
		}
		n := g.r.IntN(4)
		a := bson.A{}
		for range n {
			a = append(a, g.value(depth-1, false))
		}
		return a
	default:
		return g.scalar()
	}
}

func (g *docGen) sub(depth int) bson.D {
	d := bson.D{}
	for _, name := range []string{"b", "c", "0", "1"} {
		if (name == "0" || name == "1") && g.r.IntN(6) != 0 {
			continue
		}
		if g.r.IntN(3) == 0 {
			continue // missing
		}
		d = append(d, bson.E{Key: name, Value: g.value(depth, false)})
	}
	return d
}

// doc makes the n-th document, its _id of the n-th kind in turn.
func (g *docGen) doc(n int) bson.D {
	d := bson.D{{Key: "_id", Value: mongotest.IDKinds[n%len(mongotest.IDKinds)].Make(n)}}
	for _, name := range []string{"a", "b", "c"} {
		if g.r.IntN(5) == 0 {
			continue
		}
		d = append(d, bson.E{Key: name, Value: g.value(3, true)})
	}
	return d
}

// expectGroups is what a unique index on key rejects, from model.IndexKeys: key id -> member
// ids (canonical), for keys shared by two or more documents; and the documents MongoDB refuses.
func expectGroups(t *testing.T, key model.Key, docs map[string]string) (map[string][]string, []string) {
	spec := key.Spec()
	members := map[string]map[string]bool{}
	var unindexable []string
	for id, js := range docs {
		keys, err := model.IndexKeys([]byte(js), spec)
		if errors.Is(err, model.ErrUnindexable) {
			unindexable = append(unindexable, id)
			continue
		}
		if err != nil {
			t.Fatalf("IndexKeys(%s): %v", js, err)
		}
		for _, k := range keys {
			kid := spec.KeyID(k)
			if members[kid] == nil {
				members[kid] = map[string]bool{}
			}
			members[kid][id] = true
		}
	}
	out := map[string][]string{}
	for kid, m := range members {
		if len(m) > 1 {
			out[kid] = sortedKeys(m)
		}
	}
	sort.Strings(unindexable)
	return out, unindexable
}

func sortedKeys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// scanGroups runs the real scan: key id -> member ids, and the ids it refused as unindexable.
func scanGroups(t *testing.T, c *mongo.Client, ns model.Namespace, key model.Key) (map[string][]string, []string, []string) {
	spec := key.Spec()
	cur, err := c.Scan(context.Background(), ns, key)
	if err != nil {
		t.Fatalf("scan %s: %v", key, err)
	}
	defer cur.Close(context.Background())
	out := map[string][]string{}
	var unindexable, problems []string
	for {
		gs, err := cur.NextBatch(context.Background(), 1000)
		var ue *mongo.UnindexableError
		if errors.As(err, &ue) {
			// The scan refuses once; reading on gives the groups, so both can be compared.
			for _, id := range ue.IDs {
				unindexable = append(unindexable, string(id))
			}
			if ue.Count != len(ue.IDs) {
				problems = append(problems, fmt.Sprintf("unindexable count %d for %d ids", ue.Count, len(ue.IDs)))
			}
		} else if err != nil && err.Error() != "EOF" {
			t.Fatalf("scan %s: %v", key, err)
		}
		for _, g := range gs {
			kid := spec.KeyID(g.Key)
			var ids []string
			for i, id := range g.IDs {
				ids = append(ids, string(id))
				if i > 0 && compareIDs(g.IDs[i-1], id) >= 0 {
					problems = append(problems, fmt.Sprintf("group %v: ids not in ascending _id order: %v", g.Key, g.IDs))
				}
			}
			if _, dup := out[kid]; dup {
				problems = append(problems, fmt.Sprintf("key %v came as two groups", g.Key))
			}
			sort.Strings(ids)
			out[kid] = ids
		}
		if err != nil && ue == nil {
			break
		}
	}
	sort.Strings(unindexable)
	return out, unindexable, problems
}

// TestPipelinePropertyMatchesIndexKeys inserts random documents and checks that the scan finds
// exactly the groups model.IndexKeys says a unique index rejects, under every spec, and refuses
// exactly the documents MongoDB cannot index.
func TestPipelinePropertyMatchesIndexKeys(t *testing.T) {
	const batches, perBatch = 20, 500
	c, db := connect(t)
	g := &docGen{r: rand.New(rand.NewPCG(20240611, 7))}
	if mongotest.JavaServer() {
		// mongo-java-server's $group compares a key holding an array wrongly (two [] never
		// match, {k0: [1.5]} matches {k0: 1.5}); the scan regroups such keys by the key
		// generator (Engine.GroupSplits). But an array inside an array makes the emulator
		// fail some scans outright ("ArrayList cannot be cast to Document", on a.0.b): the
		// scan reports the server's error, and the generator avoids it.
		g.topArraysOnly, g.noRegex = true, true
		t.Log("mongo-java-server: arrays only as top-level field values, and no regular expressions (its $group cannot compare them)")
	}
	docsTotal, compared, disagreements := 0, 0, 0
	for b := range batches {
		coll := "p" + strconv.Itoa(b)
		ns := model.Namespace{DB: db, Coll: coll}
		var bdocs []bson.D
		for i := range perBatch {
			bdocs = append(bdocs, g.doc(b*perBatch+i))
		}
		insert(t, db, coll, bdocs...)
		docsTotal += len(bdocs)
		// The oracle reads what the server stored (mongo-java-server stores undefined as null).
		docs := map[string]string{}
		for id, d := range rawDocs(t, db, coll) {
			js, err := bson.MarshalExtJSON(d, true, false)
			if err != nil {
				t.Fatal(err)
			}
			docs[id] = string(js)
		}
		if len(docs) != len(bdocs) {
			t.Fatalf("batch %d: %d documents inserted, %d read back", b, len(bdocs), len(docs))
		}
		for _, key := range propertySpecs {
			want, wantBad := expectGroups(t, key, docs)
			got, gotBad, problems := scanGroups(t, c, ns, key)
			compared++
			for _, p := range problems {
				disagreements++
				t.Errorf("batch %d, key %s (%s): %s", b, key, key.Semantics(), p)
			}
			if strings.Join(wantBad, " ") != strings.Join(gotBad, " ") {
				disagreements++
				t.Errorf("batch %d, key %s: unindexable documents\n got %v\nwant %v", b, key, gotBad, wantBad)
			}
			for kid, ids := range want {
				if g := got[kid]; strings.Join(g, " ") != strings.Join(ids, " ") {
					disagreements++
					t.Errorf("batch %d, key %s (%s): key %s\n got %v\nwant %v\n%s", b, key, key.Semantics(), kid, g, ids, showDocs(docs, ids, g))
				}
			}
			for kid, ids := range got {
				if _, ok := want[kid]; !ok {
					disagreements++
					t.Errorf("batch %d, key %s (%s): key %s is no duplicate group, scan says %v\n%s", b, key, key.Semantics(), kid, ids, showDocs(docs, ids, nil))
				}
			}
			if disagreements > 20 {
				t.Fatalf("stopping after %d disagreements", disagreements)
			}
		}
	}
	t.Logf("%d documents in %d batches, %d key specs, %d scans compared with model.IndexKeys: %d disagreements",
		docsTotal, batches, len(propertySpecs), compared, disagreements)
}

// compareIDs orders two _ids the scan listed, by MongoDB's order.
func compareIDs(a, b model.Value) int {
	ra, errA := a.Raw()
	rb, errB := b.Raw()
	if errA != nil || errB != nil {
		panic(fmt.Sprintf("ids %s, %s: %v %v", a, b, errA, errB))
	}
	return model.CompareRaw(ra, rb)
}

func showDocs(docs map[string]string, a, b []string) string {
	seen := map[string]bool{}
	var out []string
	for _, id := range append(append([]string(nil), a...), b...) {
		if !seen[id] {
			seen[id] = true
			out = append(out, "  "+docs[id])
		}
	}
	return strings.Join(out, "\n")
}
