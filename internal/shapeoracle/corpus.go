package shapeoracle

import (
	"fmt"
	"math/rand/v2"

	"github.com/dupes-tui/dupes/model"
)

// Key is the corpus's duplicate key.
var Key = model.Key{Fields: []string{"k"}}

// variant is one way a field stands in a document: its leaves (none: the field is missing).
type variant []model.Field

// fields are the corpus's fields, each with its variants: values equal by MongoDB's
// comparison in other types (int 1, long 1, double 1.0; [1, 2] and [1.0, 2]), a nested
// document, an empty one and none, null against missing, dates.
var fields = []struct {
	p        float64 // chance a member other than the first takes another variant
	variants []variant
}{
	{0.15, []variant{{{Path: "name", Value: `"Ann"`}}, {{Path: "name", Value: `"Anne"`}}, {{Path: "name", Value: `"ANN"`}}}},
	{0.3, []variant{{{Path: "qty", Value: `{"$numberInt":"1"}`}}, {{Path: "qty", Value: `{"$numberDouble":"1.0"}`}},
		{{Path: "qty", Value: `{"$numberLong":"1"}`}}, {{Path: "qty", Value: `{"$numberInt":"2"}`}}}},
	{0.2, []variant{
		{{Path: "address.city", Value: `"Oslo"`}, {Path: "address.zip", Value: `"0150"`}},
		{{Path: "address.city", Value: `"Bergen"`}, {Path: "address.zip", Value: `"0150"`}},
		{{Path: "address.city", Value: `"Oslo"`}, {Path: "address.zip", Value: `{"$numberInt":"150"}`}},
		{{Path: "address", Value: `{}`}},
		{}}},
	{0.2, []variant{{{Path: "tags", Value: `[{"$numberInt":"1"},{"$numberInt":"2"}]`}}, {{Path: "tags", Value: `[{"$numberDouble":"1.0"},{"$numberInt":"2"}]`}},
		{{Path: "tags", Value: `["a"]`}}, {{Path: "tags", Value: `[]`}}}},
	{0.2, []variant{{{Path: "note", Value: `null`}}, {}, {{Path: "note", Value: `"x"`}}}},
	{0.7, []variant{{{Path: "updatedAt", Value: `{"$date":{"$numberLong":"1700000000000"}}`}},
		{{Path: "updatedAt", Value: `{"$date":{"$numberLong":"1700000360000"}}`}},
		{{Path: "updatedAt", Value: `{"$date":{"$numberLong":"1700086400000"}}`}}}},
}

// Corpus is the shared test data, the same for a seed: groups under Key of every size
// bucket (one of 120 members), some identical copies, members differing in every way fields
// list, documents lacking the key (missing and null), and documents with no duplicate.
func Corpus(seed uint64) []model.Doc {
	r := rand.New(rand.NewPCG(seed, 1))
	var docs []model.Doc
	id := 0
	add := func(key model.Value, vs []int) {
		id++
		iv := model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, id))
		d := model.Doc{ID: iv, Fields: []model.Field{{Path: "_id", Value: iv}}}
		if key != model.Missing {
			d.Fields = append(d.Fields, model.Field{Path: "k", Value: key})
		}
		for f, v := range vs {
			d.Fields = append(d.Fields, fields[f].variants[v]...)
		}
		docs = append(docs, d)
	}
	group := func(key model.Value, size int) {
		first := make([]int, len(fields))
		for f := range fields {
			first[f] = r.IntN(len(fields[f].variants))
		}
		identical := r.IntN(5) == 0
		for m := 0; m < size; m++ {
			vs := append([]int(nil), first...)
			for f := range fields {
				if m > 0 && !identical && r.Float64() < fields[f].p {
					vs[f] = r.IntN(len(fields[f].variants))
				}
			}
			add(key, vs)
		}
	}
	sizes := []int{120, 12, 37, 10}
	for i := 0; i < 40; i++ {
		sizes = append(sizes, 2)
	}
	for i := 0; i < 15; i++ {
		sizes = append(sizes, 3)
	}
	for i := 0; i < 10; i++ {
		sizes = append(sizes, 4+r.IntN(6))
	}
	for i, n := range sizes {
		group(model.Value(fmt.Sprintf(`"g%03d"`, i)), n)
	}
	for i := 0; i < 10; i++ {
		group(model.Value(fmt.Sprintf(`"single%d"`, i)), 1)
	}
	group(model.Missing, 3) // lacking the key: missing and null are one group
	group(model.Null, 2)
	return docs
}
