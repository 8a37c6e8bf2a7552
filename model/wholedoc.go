package model

// Whole-document keys: documents are duplicates when they are equal in every field except _id
// and the top-level fields the user ignores (an import run twice: identical but for _id and an
// importedAt stamp). There is no unique index to mirror, so the rule is MongoDB's $group on
// the document: what the scan runs on the server, and what this file decides for the guard.
//
//   - Values compare as $group compares them, which is how KeyID compares index keys: BSON
//     types apart, numbers by value across int32, int64, double and decimal128 (1 == 1.0),
//     strings by bytes, sub-documents by field names, order and values, arrays element by
//     element.
//   - Field order counts by default, as it does in $group and in the delete guard's $eq:
//     {a: 1, b: 2} and {b: 2, a: 1} are different documents. AnyFieldOrder sorts the top-level
//     fields by name before comparing; field order inside sub-documents still counts (the
//     server sorts with $sortArray, which reaches only the level it is given).
//   - Ignored fields are top-level names; a dotted name is refused, since excluding a.b also
//     reaches into arrays of sub-documents, which is more than "ignore this field".
//   - A whole-document group never "lacks the key": its key is a document, never null.
//
// IndexKeys answers for a whole-document key too (one key: the document as compared), so the
// delete guard, the demo store and the tests ask the one function they ask for index keys.

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// validateWhole checks a whole-document key: no key fields, and none of the options that
// loosen or narrow key values, which have nothing to apply to.
func (k Key) validateWhole() error {
	if !k.WholeDocument {
		return errors.New("--ignore and --any-field-order go with --whole-document")
	}
	switch {
	case len(k.Fields) > 0:
		return errors.New("a whole-document key has no key fields: give --key or --whole-document, not both")
	case k.Index != "" || k.Sparse || k.PartialFilter != "" || k.Collation != nil:
		return errors.New("a whole-document key does not come from an index: give --index or --whole-document, not both")
	case k.IgnoreCase || k.Trim:
		return errors.New("--ignore-case and --trim apply to key fields; a whole-document key compares every value exactly")
	}
	seen := map[string]bool{}
	for _, f := range k.Ignore {
		switch {
		case f == "_id":
			return errors.New("--ignore _id: _id is always left out of a whole-document comparison")
		case strings.Contains(f, "."):
			return fmt.Errorf("--ignore %q: only top-level fields can be ignored (a dotted path would also reach into arrays)", f)
		case seen[f]:
			return fmt.Errorf("--ignore: field %q is named twice", f)
		}
		if err := CheckPath(f); err != nil {
			return fmt.Errorf("--ignore: %w", err)
		}
		seen[f] = true
	}
	return nil
}

// Width is the number of values in one of the key's group keys: one per key field, or one
// (the document as compared) for a whole-document key.
func (k Key) Width() int {
	if k.WholeDocument {
		return 1
	}
	return len(k.Fields)
}

func (k Key) wholeString() string {
	if len(k.Ignore) == 0 {
		return "whole document"
	}
	return "whole document except " + strings.Join(k.Ignore, ", ")
}

func (k Key) wholeSemantics() string {
	parts := []string{"whole document: every field but " + strings.Join(append([]string{"_id"}, k.Ignore...), ", ") +
		"; BSON types apart, numbers by value (1 == 1.0)"}
	if k.AnyFieldOrder {
		parts = append(parts, "top-level field order ignored")
	} else {
		parts = append(parts, "field order counts")
	}
	if k.Filter != "" {
		parts = append(parts, "filter "+k.Filter)
	}
	return strings.Join(parts, "; ")
}

// wholeKeys is a document's one whole-document key: the document without _id and the ignored
// fields, top-level fields sorted by name under AnyFieldOrder.
func wholeKeys(root *node, spec KeySpec) []IndexKey {
	drop := map[string]bool{"_id": true}
	for _, f := range spec.Ignore {
		drop[f] = true
	}
	d := &node{kind: kObject}
	for i, k := range root.keys {
		if !drop[k] {
			d.keys = append(d.keys, k)
			d.kids = append(d.kids, root.kids[i])
		}
	}
	if spec.AnyFieldOrder {
		sort.Stable(byName{d})
	}
	return []IndexKey{{Value(render(d))}}
}

// byName sorts a document's fields by name, bytewise, as the server compares strings.
type byName struct{ n *node }

func (b byName) Len() int           { return len(b.n.keys) }
func (b byName) Less(i, j int) bool { return b.n.keys[i] < b.n.keys[j] }
func (b byName) Swap(i, j int) {
	b.n.keys[i], b.n.keys[j] = b.n.keys[j], b.n.keys[i]
	b.n.kids[i], b.n.kids[j] = b.n.kids[j], b.n.kids[i]
}
