package model

// What "duplicate" means in dupes. This file is the authoritative statement; everything else
// (the scan pipeline's tests, the delete guard, the demo store, `dupes keys`) defers to it.
//
// Two documents are duplicates under a key when a unique index on that key would reject the
// second: when their sets of index keys share a key. IndexKeys makes a document's index keys the
// way MongoDB's B-tree key generator (src/mongo/db/index/btree_key_generator.cpp) does, and is
// checked against MongoDB's own key-generator unit tests (testdata/keygen-cases.json):
//
//   - One key per combination of values, one value per key field, in key-pattern order.
//   - A missing field gives null. Sparse: a key whose values all come from missing fields is
//     left out, so a document missing every key field has no key and collides with nothing.
//   - Arrays along a path are expanded: one key per element, equal values once. An array met
//     inside an expanded array is not expanded again: {a: [[1,2]]} keys on a as the array [1,2].
//   - An empty array gives undefined where the path ends on it ({a: []} on a) and null where
//     the path goes on ({a: []} on a.b).
//   - Where the path goes on through an array, elements that are not documents or lack the
//     field give null next to the other elements' keys: a.b on {a: [{foo: 41}, {b: 1}]} gives
//     null and 1.
//   - A numeric path part (a.0.b) is a position in an array, a field name in a document, and a
//     field name in the array's documents when the position does not exist. A document in the
//     array holding that numeric field beside an existing position is an error (16746).
//   - Compound keys: the key fields may meet at most one array, except an array they share,
//     which is expanded element by element for all of them (a.b and a.c over the same a). Two
//     different arrays, even empty or of one element, make the document unindexable: MongoDB
//     refuses it with "cannot index parallel arrays [b] [a]" (171), and so does IndexKeys.
//   - A field named twice in a document: the first one counts.
//   - Values compare as the index compares them (see KeyID): numbers by exact value across
//     int32, int64, double and decimal128; null, undefined, strings, numbers, documents (field
//     names and order count) and arrays stay apart; every other type compares by value within
//     its type. With a collation, strings compare by their collation key at any depth (inside
//     documents and arrays too); nothing else changes. Collation.Check says which collations
//     dupes can decide exactly; the others are refused, never approximated.
//   - dupes' loose modes are not MongoDB's: IgnoreCase lower-cases ASCII A-Z ($toLower) and Trim
//     strips $trim's default whitespace, on key values that are strings, as the scan pipeline
//     does; strings inside documents or nested arrays are left as they are.
//   - What is not here: a partial index's filter (the caller keeps the documents it matches),
//     and the policy for keys made only of nulls (a flagged group decided elsewhere).
//   - A whole-document key (KeySpec.WholeDocument) is no index key: its one key is the document
//     itself without _id and the ignored fields, compared as above (wholedoc.go).

import (
	"errors"
	"fmt"
	"strings"
)

// KeySpec is what decides a document's index keys.
type KeySpec struct {
	Fields    []string   // key pattern fields, in order (dotted paths)
	Sparse    bool       // no key when every key value comes from a missing field
	Collation *Collation // nil: binary comparison of strings
	// IgnoreCase and Trim are dupes' loose modes, applied to string key values as the scan does.
	IgnoreCase, Trim bool
	// WholeDocument: the one key is the document without _id and Ignore (see wholeKeys).
	WholeDocument bool
	Ignore        []string
	AnyFieldOrder bool

	// testCollator, set only by tests, replaces the collation with a function (MongoDB's
	// reverse-string mock collator), to show where a collator applies.
	testCollator func(string) string
}

// Spec is the key's index-key spec. The partial filter and the document filter are not part of
// it: the caller keeps the documents they match.
func (k Key) Spec() KeySpec {
	return KeySpec{Fields: k.Fields, Sparse: k.Sparse, Collation: k.Collation, IgnoreCase: k.IgnoreCase, Trim: k.Trim,
		WholeDocument: k.WholeDocument, Ignore: k.Ignore, AnyFieldOrder: k.AnyFieldOrder}
}

// IndexKey is one index key: one value per key field, canonical Extended JSON.
type IndexKey []Value

// ErrUnindexable marks a document MongoDB refuses to index (parallel arrays, an ambiguous
// positional path). Test with errors.Is; the error's text is MongoDB's message.
var ErrUnindexable = errors.New("MongoDB cannot index this document")

// UnindexableError is MongoDB's refusal to index a document, with its error code.
type UnindexableError struct {
	Code int
	Msg  string
}

func (e *UnindexableError) Error() string        { return e.Msg }
func (e *UnindexableError) Is(target error) bool { return target == ErrUnindexable }

// IndexKeys returns the distinct index keys MongoDB's B-tree key generator makes of doc (a whole
// document as Extended JSON text, canonical or relaxed, field order kept), in the order the
// document yields them, or an error: errors.Is(err, ErrUnindexable) where MongoDB refuses to
// index it, another error for text that is not a document or a collation Check refuses. Values
// are the document's own (canonical Extended JSON), after the loose modes; keys equal under
// KeyID (1 and 1.0, or two strings equal under the collation) appear once, as the first met.
func IndexKeys(doc []byte, spec KeySpec) ([]IndexKey, error) {
	coll, err := spec.collator()
	if err != nil {
		return nil, err
	}
	root, err := parseDoc(doc)
	if err != nil {
		return nil, err
	}
	if spec.WholeDocument {
		return wholeKeys(root, spec), nil
	}
	if len(spec.Fields) == 0 {
		return nil, errors.New("the key has no fields")
	}
	for _, f := range spec.Fields {
		if f == "" {
			// An empty part (a..c) MongoDB's generator walks; an empty field it never sees.
			return nil, errors.New("empty key field name")
		}
	}
	g := &keyGen{spec: spec, coll: coll, seen: map[string]bool{}}
	n := len(spec.Fields)
	if err := g.withArray(append([]string(nil), spec.Fields...), make([]*node, n), root, 0, make([]posInfo, n)); err != nil {
		return nil, err
	}
	if len(g.keys) == 0 && !spec.Sparse {
		// MongoDB's generator ends the same way; the walk above always yields a key first.
		all := make([]*node, n)
		for i := range all {
			all[i] = nullNode
		}
		if err := g.add(all); err != nil {
			return nil, err
		}
	}
	return g.keys, nil
}

type keyGen struct {
	spec KeySpec
	coll stringKeyer
	seen map[string]bool
	keys []IndexKey
}

// elem is a value found at a path, with the name it was found under (a field name, or an
// array position) for MongoDB's error messages. v == nil: nothing there.
type elem struct {
	name string
	v    *node
}

// posInfo is what a positional path part (the 0 of a.0.b) found in the array being expanded:
// the element at that position, and what the rest of the path finds from the array.
type posInfo struct {
	arr       *node // the array
	elt       *node
	remaining string
	dotted    elem
}

// get returns a document's first field of that name, or an array's element at that position
// (a field name of the array's BSON form: "0", "1", ..., no sign or leading zero).
func get(n *node, name string) elem {
	switch n.kind {
	case kObject:
		for i, k := range n.keys {
			if k == name {
				return elem{name, n.kids[i]}
			}
		}
	case kArray:
		if i, ok := position(name); ok && i < len(n.kids) {
			return elem{name, n.kids[i]}
		}
	}
	return elem{}
}

func position(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	i := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	return i, true
}

// extractAlong follows path through documents and stops at the first array (returned with the
// rest of the path) or at the end of the path (rest ""). Like MongoDB's
// extractElementAtPathOrArrayAlongPath, it never looks inside the array it stops at.
func extractAlong(obj *node, path string) (elem, string) {
	for {
		part, rest, _ := strings.Cut(path, ".")
		sub := get(obj, part)
		switch {
		case sub.v == nil:
			return elem{}, rest
		case sub.v.kind == kArray || rest == "":
			return sub, rest
		case sub.v.kind != kObject:
			return elem{}, rest
		}
		obj, path = sub.v, rest
	}
}

// extractNext finds the next value of one key field in obj: through obj's own fields, or
// through the positional element found in the enclosing array. nested reports that this
// positional element is itself an array, which MongoDB then keeps whole at the end of the path.
func extractNext(obj *node, pos posInfo, field *string) (e elem, nested bool, err error) {
	first, _, _ := strings.Cut(*field, ".")
	haveObjField := get(obj, first).v != nil
	if haveObjField && pos.elt != nil {
		return elem{}, false, &UnindexableError{Code: 16746, Msg: fmt.Sprintf(
			"Ambiguous field name found in array (do not use numeric field names in embedded elements in an array), field: '%s' for array: %s",
			first, render(pos.arr))}
	}
	switch {
	case haveObjField:
		e, *field = extractAlong(obj, *field)
		return e, false, nil
	case pos.elt != nil:
		*field = pos.remaining
		return pos.dotted, pos.elt.kind == kArray, nil
	}
	return elem{}, false, nil
}

// withArray is MongoDB's _getKeysWithArray: names holds each field's path still to walk ("" when
// done), fixed the value each finished field keys on. names and fixed are this call's own.
func (g *keyGen) withArray(names []string, fixed []*node, obj *node, notFound int, pos []posInfo) error {
	var arr elem
	onArr := make([]bool, len(names)) // the fields whose path goes through arr
	mayExpand := true
	for i := range names {
		if names[i] == "" {
			continue
		}
		e, nested, err := extractNext(obj, pos[i], &names[i])
		if err != nil {
			return err
		}
		switch {
		case e.v == nil:
			fixed[i], names[i] = nullNode, ""
			notFound++
		case e.v.kind == kArray:
			onArr[i] = true
			if arr.v == nil {
				arr = e
			} else if e.v != arr.v {
				return &UnindexableError{Code: 171, Msg: fmt.Sprintf("cannot index parallel arrays [%s] [%s]", e.name, arr.name)}
			}
			if nested {
				mayExpand = false
			}
		default:
			fixed[i] = e.v
		}
	}
	if arr.v == nil {
		if g.spec.Sparse && notFound == len(names) {
			return nil
		}
		return g.add(fixed)
	}
	if len(arr.v.kids) == 0 {
		return g.arrEltFixed(names, fixed, undefinedNode, notFound, arr.v, onArr, true, make([]posInfo, len(names)))
	}
	// A positional part (a.1.b) picks one element: find it and walk the rest of its path once,
	// here, rather than once per element.
	sub := make([]posInfo, len(names))
	for i, name := range names {
		if name == "" {
			continue
		}
		part, _, _ := strings.Cut(name, ".")
		if el := get(arr.v, part); el.v != nil {
			sub[i].arr, sub[i].elt = arr.v, el.v
			sub[i].dotted, sub[i].remaining = extractAlong(arr.v, name)
		}
	}
	for _, entry := range arr.v.kids {
		if err := g.arrEltFixed(names, fixed, entry, notFound, arr.v, onArr, mayExpand, sub); err != nil {
			return err
		}
	}
	return nil
}

// arrEltFixed is MongoDB's _getKeysArrEltFixed: the fields ending on the array key on this
// element (or on the whole array, when it was reached through a position and is kept whole),
// and the walk goes on into the element when it is a document.
func (g *keyGen) arrEltFixed(names []string, fixed []*node, entry *node, notFound int, arr *node, onArr []bool, mayExpand bool, pos []posInfo) error {
	for i, on := range onArr {
		if on && names[i] == "" {
			if mayExpand {
				fixed[i] = entry
			} else {
				fixed[i] = arr
			}
		}
	}
	obj := emptyObject
	if entry.kind == kObject {
		obj = entry
	}
	return g.withArray(append([]string(nil), names...), append([]*node(nil), fixed...), obj, notFound, pos)
}

// add records one key, after the loose modes, unless an equal one is already there.
func (g *keyGen) add(fixed []*node) error {
	k := make([]*node, len(fixed))
	for i, n := range fixed {
		k[i] = g.spec.loosen(n)
		if err := g.checkStrings(k[i]); err != nil {
			return err
		}
	}
	id := keyID(k, g.coll)
	if g.seen[id] {
		return nil
	}
	g.seen[id] = true
	vals := make(IndexKey, len(k))
	for i, n := range k {
		vals[i] = Value(render(n))
	}
	g.keys = append(g.keys, vals)
	return nil
}

// checkStrings reports a string the collation cannot decide exactly (see Collation.Check).
func (g *keyGen) checkStrings(n *node) error {
	switch {
	case g.coll == nil:
	case n.kind == kString:
		_, err := g.coll(n.text)
		return err
	case n.kind == kObject || n.kind == kArray:
		for _, k := range n.kids {
			if err := g.checkStrings(k); err != nil {
				return err
			}
		}
	}
	return nil
}
