package model

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DisplayTyped is Display with the BSON types named, for values whose Display is equal
// while the values are not (int 5 and long 5 both display as 5). A scalar is followed by its
// type, `5 (int)`, `5 (long)`; inside documents and arrays numbers carry their type as
// mongosh's constructors do, `{ n: Long(5) }`.
func (v Value) DisplayTyped() string {
	if v == Missing {
		return v.Display()
	}
	rv, err := v.Raw()
	if err != nil {
		return v.Display()
	}
	var b strings.Builder
	switch rv.Type {
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		writeDisplay(&b, rv, true)
		return b.String()
	}
	// A scalar at the top: its own number form, then its type.
	writeDisplay(&b, rv, false)
	return b.String() + " (" + typeName(rv.Type) + ")"
}

// TypeName is the value's BSON type as $type and mongosh spell it ("int", "long", "double",
// "string", "objectId", …), "missing", or "invalid" for text the driver cannot read.
func (v Value) TypeName() string {
	if v == Missing {
		return "missing"
	}
	rv, err := v.Raw()
	if err != nil {
		return "invalid"
	}
	return typeName(rv.Type)
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

// typeName is a BSON type's $type alias.
func typeName(t bson.Type) string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return "invalid"
}

var typeNames = map[bson.Type]string{
	bson.TypeDouble: "double", bson.TypeString: "string", bson.TypeEmbeddedDocument: "object",
	bson.TypeArray: "array", bson.TypeBinary: "binData", bson.TypeUndefined: "undefined",
	bson.TypeObjectID: "objectId", bson.TypeBoolean: "bool", bson.TypeDateTime: "date",
	bson.TypeNull: "null", bson.TypeRegex: "regex", bson.TypeDBPointer: "dbPointer",
	bson.TypeJavaScript: "javascript", bson.TypeSymbol: "symbol",
	bson.TypeCodeWithScope: "javascriptWithScope", bson.TypeInt32: "int",
	bson.TypeTimestamp: "timestamp", bson.TypeInt64: "long", bson.TypeDecimal128: "decimal",
	bson.TypeMinKey: "minKey", bson.TypeMaxKey: "maxKey",
}
