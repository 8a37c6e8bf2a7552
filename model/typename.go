package model

import "strings"

// TypeName is the BSON type of a canonical Extended JSON value, as $type and mongosh spell
// it ("int", "long", "objectId"…). Where two values print alike (int 5, long 5), it is what
// tells them apart.
func (v Value) TypeName() string {
	s := string(v)
	switch {
	case s == "null":
		return "null"
	case s == "true" || s == "false":
		return "bool"
	case strings.HasPrefix(s, `"`):
		return "string"
	case strings.HasPrefix(s, "["):
		return "array"
	}
	for _, t := range [...]struct{ prefix, name string }{
		{`{"$oid"`, "objectId"}, {`{"$date"`, "date"}, {`{"$numberInt"`, "int"}, {`{"$numberLong"`, "long"},
		{`{"$numberDouble"`, "double"}, {`{"$numberDecimal"`, "decimal"}, {`{"$binary"`, "binData"},
		{`{"$timestamp"`, "timestamp"}, {`{"$regularExpression"`, "regex"}, {`{"$code"`, "javascript"},
		{`{"$symbol"`, "symbol"}, {`{"$minKey"`, "minKey"}, {`{"$maxKey"`, "maxKey"},
		{`{"$undefined"`, "undefined"}, {`{"$dbPointer"`, "dbPointer"},
	} {
		if strings.HasPrefix(s, t.prefix) {
			return t.name
		}
	}
	if strings.HasPrefix(s, "{") {
		return "object"
	}
	return "unknown"
}
