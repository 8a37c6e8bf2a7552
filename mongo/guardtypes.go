package mongo

import (
	"strconv"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// numberTypes is the part of the guard that $eq cannot do: $eq compares numbers by value, so
// a writer turning int 1 into 1.0 (NumberLong, Decimal128) would go unseen and the document
// would be deleted unlike its backup. It gives one {path: {$type: T}} per number in doc, by
// position ("items.0.qty"), which mongo-java-server and FerretDB answer as MongoDB does; an
// array of numbers of one type takes one condition for all of them (none of another type).
//
// A path the query language cannot name exactly gets no condition, and such a number keeps
// $eq's value-only comparison: a field name holding a '.', starting with '$' or empty, a name
// repeated in its document, and the elements of an array that holds a document with a digit
// key (there "a.0" could also mean that document's field "0"). The top-level _id is matched
// already, and cannot change.
func numberTypes(doc bson.Raw) bson.D {
	var t typeWalk
	t.document(doc, "", true)
	return t.out
}

type typeWalk struct{ out bson.D }

func (t *typeWalk) add(path string, cond bson.D) {
	t.out = append(t.out, bson.E{Key: path, Value: cond})
}

func (t *typeWalk) document(doc bson.Raw, prefix string, top bool) {
	elems, err := doc.Elements()
	if err != nil {
		return // the server read it; a document we cannot walk keeps $eq alone
	}
	seen := make(map[string]int, len(elems))
	for _, e := range elems {
		seen[e.Key()]++
	}
	for _, e := range elems {
		k := e.Key()
		if (top && k == "_id") || !model.QueryName(k) || seen[k] > 1 {
			continue
		}
		t.value(e.Value(), prefix+k)
	}
}

func (t *typeWalk) value(v bson.RawValue, path string) {
	if name, ok := numberType(v.Type); ok {
		t.add(path, bson.D{{Key: "$type", Value: name}})
		return
	}
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		t.document(v.Document(), path+".", false)
	case bson.TypeArray:
		t.array(v.Array(), path)
	}
}

func (t *typeWalk) array(a bson.RawArray, path string) {
	vals, err := a.Values()
	if err != nil || len(vals) == 0 {
		return
	}
	if name, ok := oneNumberType(vals); ok && len(vals) > 1 {
		// $eq keeps every element a number of its value: all of them are still of this type
		// when none is of another numeric type ($type looks into an array's elements).
		var others bson.A
		for _, n := range numberTypeNames {
			if n != name {
				others = append(others, n)
			}
		}
		t.add(path, bson.D{{Key: "$not", Value: bson.D{{Key: "$type", Value: others}}}})
		return
	}
	for _, v := range vals {
		if d, ok := v.DocumentOK(); ok && hasDigitKey(d) {
			return
		}
	}
	for i, v := range vals {
		t.value(v, path+"."+strconv.Itoa(i))
	}
}

// numberTypeNames are the $type aliases of the numeric BSON types.
var numberTypeNames = []string{"int", "long", "double", "decimal"}

// numberType is the $type alias of a numeric BSON type.
func numberType(t bson.Type) (string, bool) {
	switch t {
	case bson.TypeInt32:
		return "int", true
	case bson.TypeInt64:
		return "long", true
	case bson.TypeDouble:
		return "double", true
	case bson.TypeDecimal128:
		return "decimal", true
	}
	return "", false
}

// oneNumberType is the type every value shares, when they are all numbers of one type.
func oneNumberType(vals []bson.RawValue) (string, bool) {
	first, ok := numberType(vals[0].Type)
	for _, v := range vals[1:] {
		if !ok || v.Type != vals[0].Type {
			return "", false
		}
	}
	return first, ok
}

func hasDigitKey(d bson.Raw) bool {
	elems, _ := d.Elements()
	for _, e := range elems {
		if _, err := strconv.Atoi(e.Key()); err == nil {
			return true
		}
	}
	return false
}
