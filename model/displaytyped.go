package model

import (
	"encoding/json"
	"strings"
)

// DisplayTyped is Display with the BSON types named, for values whose Display is equal
// while the values are not (int 5 and long 5 both display as 5). A scalar is followed by its
// type, `5 (int)`, `5 (long)`; inside documents and arrays numbers carry their type as
// mongosh's constructors do, `{ n: Long(5) }`.
func (v Value) DisplayTyped() string {
	if v == Missing {
		return v.Display()
	}
	node, err := decode(v)
	if err != nil {
		return v.Display()
	}
	var b strings.Builder
	writeDisplay(&b, node, true)
	switch node.(type) {
	case []any, object:
		return b.String()
	}
	// A scalar at the top: its own number form, then its type.
	b.Reset()
	writeDisplay(&b, node, false)
	return b.String() + " (" + typeOf(node) + ")"
}

// TypeName is the value's BSON type as $type and mongosh spell it ("int", "long", "double",
// "string", "objectId", …), or "missing".
func (v Value) TypeName() string {
	if v == Missing {
		return "missing"
	}
	node, err := decode(v)
	if err != nil {
		return "invalid"
	}
	return typeOf(node)
}

// SameDisplay reports values that differ although they display alike: a view then shows
// them with DisplayTyped, so a row marked as differing shows how.
func SameDisplay(a, b Value) bool {
	return a != b && a.Display() == b.Display()
}

// RowNeedsTypes reports a row (one field across a group's members) in which two values differ
// but display alike: such a row is shown with DisplayTyped in every cell, or a row marked as
// differing would show the same text everywhere.
func RowNeedsTypes(vals []Value) bool {
	seen := make(map[string]Value, len(vals))
	for _, v := range vals {
		if v == Missing {
			continue
		}
		d := v.Display()
		if prev, ok := seen[d]; ok && prev != v {
			return true
		}
		seen[d] = v
	}
	return false
}

func typeOf(node any) string {
	switch n := node.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case string:
		return "string"
	case json.Number:
		return "number" // relaxed JSON only: canonical values wrap every number
	case []any:
		return "array"
	case object:
		return "object"
	case map[string]any:
		for _, w := range wrapperTypes {
			if has(n, w.key) {
				if w.key == "$code" && has(n, "$scope") {
					return "javascriptWithScope"
				}
				return w.name
			}
		}
	}
	return "object"
}

// wrapperTypes names the type each Extended JSON wrapper stands for.
var wrapperTypes = []struct{ key, name string }{
	{"$oid", "objectId"}, {"$numberInt", "int"}, {"$numberLong", "long"}, {"$numberDouble", "double"},
	{"$numberDecimal", "decimal"}, {"$date", "date"}, {"$binary", "binData"}, {"$timestamp", "timestamp"},
	{"$regularExpression", "regex"}, {"$minKey", "minKey"}, {"$maxKey", "maxKey"}, {"$undefined", "undefined"},
	{"$symbol", "symbol"}, {"$code", "javascript"}, {"$dbPointer", "dbPointer"},
}
