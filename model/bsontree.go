package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Values are read once, by the driver's BSON and Extended JSON code, into one ordered tree:
// the key generator, the comparison, display, layout and the merge all walk it. The tree
// keeps what the index sees: field order, repeated field names (the first one counts) and
// each value's BSON type. Every node keeps the driver's raw value, so nothing downstream has
// to read text again; scalars also carry their canonical Extended JSON, written by the driver,
// which is what `dupes keys` prints and, for types compared byte for byte, their identity.

type nodeKind uint8

const (
	kNull nodeKind = iota
	kUndefined
	kBool
	kNumber // int32, int64, double, decimal128: compared by value
	kString
	kSymbol // compares as a string, but no collation applies to it
	kObject
	kArray
	kOther // ObjectId, date, binary, regex, timestamp, code, MinKey, MaxKey...: by canonical text
)

type node struct {
	kind nodeKind
	text string // canonical Extended JSON of a scalar; the string itself for kString and kSymbol
	keys []string
	kids []*node
	raw  bson.RawValue // the value as the driver read it; zero for nodes the code builds
}

var (
	nullNode      = &node{kind: kNull, text: "null", raw: bson.RawValue{Type: bson.TypeNull}}
	undefinedNode = &node{kind: kUndefined, text: `{"$undefined":true}`, raw: bson.RawValue{Type: bson.TypeUndefined}}
	emptyObject   = &node{kind: kObject}
)

// maxDepth matches BSON's nesting limit, so a hostile line cannot exhaust the stack.
const maxDepth = 200

// ReadDoc reads one document written in Extended JSON v2, canonical or relaxed, with the
// driver's parser. The text must be exactly one JSON object: trailing text is an error,
// which the driver alone would let through.
func ReadDoc(text []byte) (bson.Raw, error) {
	trimmed := bytes.TrimSpace(text)
	if !json.Valid(trimmed) {
		var v any
		err := json.Unmarshal(trimmed, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("not a document: the text is not a JSON object")
	}
	if mayHoldNumberDate(trimmed) && holdsNumberDate(trimmed) {
		return nil, fmt.Errorf("not Extended JSON: %w", errNumberDate)
	}
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON(trimmed, false, &doc); err != nil {
		return nil, fmt.Errorf("not Extended JSON: %w", err)
	}
	if err := doc.Validate(); err != nil {
		return nil, fmt.Errorf("not a valid BSON document: %w", err)
	}
	return doc, nil
}

// ValueOf is the one writer of Values: the driver's canonical Extended JSON of a BSON value,
// compacted. A zero RawValue is Missing.
func ValueOf(rv bson.RawValue) (Value, error) {
	if rv.Type == 0 {
		return Missing, nil
	}
	out, err := bson.MarshalExtJSON(wrap(rv), true, false)
	if err != nil {
		return Missing, err
	}
	// out is {"v":VALUE}: cut the wrapper off.
	return Value(out[len(`{"v":`) : len(out)-1]), nil
}

// MustValueOf is ValueOf for values that came from a server or from ReadDoc, which the
// driver has already read: it panics only on a value the driver cannot write back.
func MustValueOf(rv bson.RawValue) Value {
	v, err := ValueOf(rv)
	if err != nil {
		panic(fmt.Sprintf("model: the driver cannot write a %s value it read: %v", rv.Type, err))
	}
	return v
}

// wrap makes the one-field document {"v": rv}, so the driver can write a bare value.
func wrap(rv bson.RawValue) bson.Raw {
	n := 4 + 1 + 2 + len(rv.Value) + 1
	doc := make([]byte, 0, n)
	doc = binary.LittleEndian.AppendUint32(doc, uint32(n))
	doc = append(doc, byte(rv.Type), 'v', 0)
	doc = append(doc, rv.Value...)
	return append(doc, 0)
}

// Raw reads a Value back into BSON with the driver's Extended JSON parser.
func (v Value) Raw() (bson.RawValue, error) {
	if v == Missing {
		return bson.RawValue{}, errors.New("missing value")
	}
	doc, err := ReadDoc([]byte(`{"v":` + string(v) + `}`))
	if err != nil {
		return bson.RawValue{}, fmt.Errorf("value %s: %w", string(v), err) // not v: String reads v again
	}
	return doc.Lookup("v"), nil
}

// parseDoc reads one document in canonical or relaxed Extended JSON v2 into a tree.
func parseDoc(text []byte) (*node, error) {
	doc, err := ReadDoc(text)
	if err != nil {
		return nil, err
	}
	return nodeOf(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, 0)
}

// parseValue reads one Value back into a tree.
func parseValue(v Value) (*node, error) {
	rv, err := v.Raw()
	if err != nil {
		return nil, err
	}
	return nodeOf(rv, 0)
}

// nodeOf turns one driver value into a tree node.
func nodeOf(rv bson.RawValue, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply")
	}
	n := &node{raw: rv}
	switch rv.Type {
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		n.kind = kObject
		if rv.Type == bson.TypeArray {
			n.kind = kArray
		}
		elems, err := bson.Raw(rv.Value).Elements()
		if err != nil {
			return nil, err
		}
		for _, e := range elems {
			kid, err := nodeOf(e.Value(), depth+1)
			if err != nil {
				return nil, err
			}
			if n.kind == kObject {
				n.keys = append(n.keys, e.Key())
			}
			n.kids = append(n.kids, kid)
		}
		return n, nil
	case bson.TypeString:
		n.kind, n.text = kString, rv.StringValue()
		return n, nil
	case bson.TypeSymbol:
		n.kind, n.text = kSymbol, rv.Symbol()
		return n, nil
	case bson.TypeNull:
		n.kind = kNull
	case bson.TypeUndefined:
		n.kind = kUndefined
	case bson.TypeBoolean:
		n.kind = kBool
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		n.kind = kNumber
	default:
		n.kind = kOther
	}
	v, err := ValueOf(rv)
	if err != nil {
		return nil, err
	}
	n.text = string(v)
	return n, nil
}

// quote writes a JSON string exactly as the driver's Extended JSON writer does.
func quote(s string) string {
	return string(MustValueOf(bson.RawValue{Type: bson.TypeString, Value: stringBytes(s)}))
}

// stringBytes is a BSON string's body: length, bytes, NUL.
func stringBytes(s string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(s)+1))
	return append(append(b, s...), 0)
}

// render writes a tree as compact canonical Extended JSON v2. A node the driver read is
// written by the driver; only what the code assembled (a merged document) is put together
// here, from parts the driver wrote.
func render(n *node) string {
	var b strings.Builder
	writeTree(&b, n)
	return b.String()
}

func writeTree(b *strings.Builder, n *node) {
	if n.raw.Type != 0 && n.kind != kString && n.kind != kSymbol {
		if n.kind == kObject || n.kind == kArray {
			b.WriteString(string(MustValueOf(n.raw)))
		} else {
			b.WriteString(n.text)
		}
		return
	}
	switch n.kind {
	case kString:
		b.WriteString(quote(n.text))
	case kSymbol:
		b.WriteString(`{"$symbol":` + quote(n.text) + `}`)
	case kObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quote(k))
			b.WriteByte(':')
			writeTree(b, n.kids[i])
		}
		b.WriteByte('}')
	case kArray:
		b.WriteByte('[')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			writeTree(b, k)
		}
		b.WriteByte(']')
	default:
		b.WriteString(n.text)
	}
}
