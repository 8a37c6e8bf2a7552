package model

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Compare orders two values as MongoDB sorts them (see CompareRaw), returning -1, 0 or +1.
// Keep rules, the merge order and the memory store's id order use it. Text that is not a
// value (Missing above all) sorts before every value, by its bytes, so the order stays total.
func Compare(a, b Value) int {
	if a == b {
		return 0
	}
	ra, errA := a.Raw()
	rb, errB := b.Raw()
	switch {
	case errA != nil && errB != nil:
		return strings.Compare(string(a), string(b))
	case errA != nil:
		return -1
	case errB != nil:
		return 1
	}
	return CompareRaw(ra, rb)
}

// CompareRaw is MongoDB's BSON comparison (BSONElement::woCompare and compareElementValues in
// the server): first the canonical type order, then the value. It reads the raw bytes and no
// text, because the adapter sorts and de-duplicates every group's _ids with it: two _ids it
// finds equal are one document, so it must tell every pair of distinct BSON values apart
// exactly as the server's _id index does. It returns -1, 0 or +1.
func CompareRaw(a, b bson.RawValue) int {
	if ca, cb := canonicalType(a.Type), canonicalType(b.Type); ca != cb {
		return cmp.Compare(int64(ca), int64(cb))
	}
	x, y := a.Value, b.Value
	switch a.Type {
	case bson.TypeMinKey, bson.TypeMaxKey, bson.TypeNull, bson.TypeUndefined:
		return 0
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return compareNumbers(a, b)
	case bson.TypeString, bson.TypeSymbol, bson.TypeJavaScript:
		return bytes.Compare(rawString(x), rawString(y))
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		return compareDocs(x, y)
	case bson.TypeBinary:
		// Length first, then the subtype byte and the bytes: one memcmp in the server.
		if c := cmp.Compare(int64(rawU32(x)), int64(rawU32(y))); c != 0 {
			return c
		}
		return cmpSign(bytes.Compare(rawSkip(x, 4), rawSkip(y, 4)))
	case bson.TypeObjectID:
		return cmpSign(bytes.Compare(x, y))
	case bson.TypeBoolean:
		return cmp.Compare(boolInt(rawByte(x, 0) != 0), boolInt(rawByte(y, 0) != 0))
	case bson.TypeDateTime:
		return cmp.Compare(int64(rawU64(x)), int64(rawU64(y)))
	case bson.TypeTimestamp:
		// Unsigned, the time (high word) before the increment.
		return cmp.Compare(rawU64(x), rawU64(y))
	case bson.TypeRegex:
		// Pattern, then options: both C strings, so the NUL ending the pattern sorts first.
		return cmpSign(bytes.Compare(x, y))
	case bson.TypeDBPointer:
		// The server compares the value's size, then its bytes.
		if c := cmp.Compare(int64(len(x)), int64(len(y))); c != 0 {
			return c
		}
		return cmpSign(bytes.Compare(x, y))
	case bson.TypeCodeWithScope:
		// The code, then the scope as a document.
		cx, cy := rawSkip(x, 4), rawSkip(y, 4)
		if c := bytes.Compare(rawString(cx), rawString(cy)); c != 0 {
			return c
		}
		return compareDocs(rawSkip(cx, 4+int(rawU32(cx))), rawSkip(cy, 4+int(rawU32(cy))))
	}
	return cmpSign(bytes.Compare(x, y))
}

// canonicalType is the server's canonicalizeBSONType: where a type falls in the sort order.
// Types sharing a number compare by value. undefined sorts below null, not with it.
func canonicalType(t bson.Type) int {
	switch t {
	case bson.TypeMinKey:
		return -1
	case bson.TypeUndefined:
		return 0
	case bson.TypeNull:
		return 5
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return 10
	case bson.TypeString, bson.TypeSymbol:
		return 15
	case bson.TypeEmbeddedDocument:
		return 20
	case bson.TypeArray:
		return 25
	case bson.TypeBinary:
		return 30
	case bson.TypeObjectID:
		return 35
	case bson.TypeBoolean:
		return 40
	case bson.TypeDateTime:
		return 45
	case bson.TypeTimestamp:
		return 47
	case bson.TypeRegex:
		return 50
	case bson.TypeDBPointer:
		return 55
	case bson.TypeJavaScript:
		return 60
	case bson.TypeCodeWithScope:
		return 65
	case bson.TypeMaxKey:
		return 127
	}
	return 200 + int(t) // not a BSON type: after everything, still a total order
}

// compareDocs is BSONObj::woCompare with field names considered, for documents and arrays
// alike: element by element, the canonical type of the values, then the field name, then the
// value; the shorter document first. So {a: 2} sorts before {b: 1} (the names differ before
// the values are looked at), and {b: 1} before {a: "x"} (a number's type sorts first).
func compareDocs(x, y []byte) int {
	// The driver walks the elements; bytes it cannot read end the document there, as the
	// server would never hand them over.
	ex, _ := bson.Raw(x).Elements()
	ey, _ := bson.Raw(y).Elements()
	for i := 0; ; i++ {
		switch {
		case i == len(ex) && i == len(ey):
			return 0
		case i == len(ex):
			return -1
		case i == len(ey):
			return 1
		}
		vx, vy := ex[i].Value(), ey[i].Value()
		if cx, cy := canonicalType(vx.Type), canonicalType(vy.Type); cx != cy {
			return cmp.Compare(int64(cx), int64(cy))
		}
		if c := strings.Compare(ex[i].Key(), ey[i].Key()); c != 0 {
			return c
		}
		if c := CompareRaw(vx, vy); c != 0 {
			return c
		}
	}
}

// stringBody is a length-prefixed string's bytes, without the length and the closing NUL.
// The server compares strings by their bytes, NULs inside included, as bytes.Compare does.
func rawString(b []byte) []byte {
	if len(b) < 4 {
		return nil
	}
	n := int(rawU32(b))
	if n < 1 || 4+n > len(b) {
		return b[4:]
	}
	return b[4 : 4+n-1]
}

func rawU32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func rawU64(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func rawSkip(b []byte, n int) []byte {
	if n < 0 || n > len(b) {
		return nil
	}
	return b[n:]
}

func rawByte(b []byte, i int) byte {
	if i >= len(b) {
		return 0
	}
	return b[i]
}

func cmpSign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
