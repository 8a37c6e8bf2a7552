package model

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The key generator walks a document as a tree of BSON values read from Extended JSON. The
// tree keeps what the index sees: field order, repeated field names (the first one counts) and
// each value's BSON type. Scalars carry their canonical Extended JSON text, which is both what
// `dupes keys` prints and, for types compared byte for byte, their identity.

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
}

var (
	nullNode      = &node{kind: kNull, text: "null"}
	undefinedNode = &node{kind: kUndefined, text: `{"$undefined":true}`}
	emptyObject   = &node{kind: kObject}
)

// parseDoc reads one document (a JSON object) in canonical or relaxed Extended JSON v2.
func parseDoc(doc []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := parseNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if n.kind != kObject {
		return nil, errors.New("not a document: the text is not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("more than one JSON value")
	}
	return n, nil
}

// parseValue reads one Value back into a tree.
func parseValue(v Value) (*node, error) {
	dec := json.NewDecoder(strings.NewReader(string(v)))
	dec.UseNumber()
	return parseNode(dec, 0)
}

// maxDepth matches BSON's nesting limit, so a hostile line cannot exhaust the stack.
const maxDepth = 200

func parseNode(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return nullNode, nil
	case bool:
		return &node{kind: kBool, text: strconv.FormatBool(t)}, nil
	case string:
		return &node{kind: kString, text: t}, nil
	case json.Number:
		v := numberValue(t.String())
		if v == Missing {
			return nil, fmt.Errorf("bad number %s", t)
		}
		return &node{kind: kNumber, text: string(v)}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &node{kind: kArray}
			for dec.More() {
				k, err := parseNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.kids = append(n.kids, k)
			}
			_, err := dec.Token()
			return n, err
		case '{':
			n := &node{kind: kObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, err := parseNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, kt.(string))
				n.kids = append(n.kids, k)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if len(n.keys) > 0 && strings.HasPrefix(n.keys[0], "$") {
				return unwrap(n)
			}
			return n, nil
		}
	}
	return nil, fmt.Errorf("unexpected %v", tok)
}

// field returns an object's first value under name, or nil.
func (n *node) field(name string) *node {
	for i, k := range n.keys {
		if k == name {
			return n.kids[i]
		}
	}
	return nil
}

func (n *node) str(name string) (string, bool) {
	if k := n.field(name); k != nil && k.kind == kString {
		return k.text, true
	}
	return "", false
}

func scalar(kind nodeKind, text string) (*node, error) { return &node{kind: kind, text: text}, nil }

// unwrap turns an Extended JSON wrapper ({"$oid": ...}) into its BSON value. Objects whose
// first key starts with '$' but name no wrapper ({"$ref":..., "$id":...}) stay documents.
func unwrap(n *node) (*node, error) {
	k := n.keys[0]
	// Secondary keys of legacy wrappers name a wrapper only beside their primary key;
	// alone they are ordinary fields ({"$type": "string"} in a stored query, say).
	for second, primary := range map[string]string{"$type": "$binary", "$options": "$regex", "$scope": "$code"} {
		if k == second && n.field(primary) == nil {
			return n, nil
		}
	}
	bad := func() (*node, error) { return nil, fmt.Errorf("bad Extended JSON %s value", k) }
	s, isStr := n.str(k)
	one := len(n.keys) == 1
	switch k {
	case "$numberInt", "$numberLong":
		bits := 32
		if k == "$numberLong" {
			bits = 64
		}
		i, err := strconv.ParseInt(s, 10, bits)
		if !isStr || !one || err != nil {
			return bad()
		}
		return scalar(kNumber, `{"`+k+`":"`+strconv.FormatInt(i, 10)+`"}`)
	case "$numberDouble":
		f, err := strconv.ParseFloat(s, 64)
		if s == "Infinity" || s == "-Infinity" || s == "NaN" {
			f, err = parseSpecialDouble(s), nil
		}
		if !isStr || !one || err != nil {
			return bad()
		}
		return scalar(kNumber, string(doubleValue(f)))
	case "$numberDecimal":
		if !isStr || !one || !validDecimal(s) {
			return bad()
		}
		return scalar(kNumber, `{"$numberDecimal":`+quote(s)+`}`)
	case "$oid":
		b, err := hex.DecodeString(s)
		if !isStr || !one || err != nil || len(b) != 12 {
			return bad()
		}
		return scalar(kOther, `{"$oid":"`+hex.EncodeToString(b)+`"}`)
	case "$symbol":
		if !isStr || !one {
			return bad()
		}
		return scalar(kSymbol, s)
	case "$minKey", "$maxKey":
		if v := n.kids[0]; !one || v.kind != kNumber || numberID(v.text) != "1" {
			return bad()
		}
		return scalar(kOther, `{"`+k+`":1}`)
	case "$undefined":
		if !one || n.kids[0].text != "true" {
			return bad()
		}
		return undefinedNode, nil
	case "$date":
		return unwrapDate(n)
	case "$binary", "$type":
		return unwrapBinary(n)
	case "$regularExpression", "$regex", "$options":
		return unwrapRegex(n)
	case "$timestamp":
		ts := n.kids[0]
		t, i := ts.field("t"), ts.field("i")
		if !one || ts.kind != kObject || len(ts.keys) != 2 || !uint32Node(t) || !uint32Node(i) {
			return bad()
		}
		return scalar(kOther, `{"$timestamp":{"t":`+numberID(t.text)+`,"i":`+numberID(i.text)+`}}`)
	case "$code", "$scope":
		code, ok := n.str("$code")
		scope := n.field("$scope")
		if !ok || len(n.keys) > 2 || (len(n.keys) == 2 && (scope == nil || scope.kind != kObject)) {
			return bad()
		}
		text := `{"$code":` + quote(code)
		if scope != nil {
			text += `,"$scope":` + render(scope)
		}
		return scalar(kOther, text+"}")
	case "$dbPointer":
		p := n.kids[0]
		ref, ok := p.str("$ref")
		id := p.field("$id")
		if !one || p.kind != kObject || len(p.keys) != 2 || !ok || id == nil || !strings.HasPrefix(id.text, `{"$oid"`) {
			return bad()
		}
		return scalar(kOther, `{"$dbPointer":{"$ref":`+quote(ref)+`,"$id":`+id.text+`}}`)
	}
	return n, nil
}

func parseSpecialDouble(s string) float64 {
	switch s {
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	return math.NaN()
}

func uint32Node(n *node) bool {
	if n == nil || n.kind != kNumber {
		return false
	}
	i, err := strconv.ParseInt(numberID(n.text), 10, 64)
	return err == nil && i >= 0 && i <= math.MaxUint32
}

// unwrapDate reads {"$date": {"$numberLong": "ms"}} (canonical), an ISO-8601 string
// (relaxed) or a plain number of milliseconds (legacy).
func unwrapDate(n *node) (*node, error) {
	v := n.kids[0]
	var ms int64
	switch {
	case len(n.keys) != 1:
		return nil, errors.New("bad Extended JSON $date value")
	case v.kind == kString:
		t, err := time.Parse(time.RFC3339Nano, v.text)
		if err != nil {
			return nil, fmt.Errorf("bad Extended JSON $date: %w", err)
		}
		ms = t.UnixMilli()
	case v.kind == kNumber && !strings.HasPrefix(v.text, `{"$numberDecimal"`):
		i, err := strconv.ParseInt(numberID(v.text), 10, 64)
		if err != nil {
			return nil, errors.New("bad Extended JSON $date value")
		}
		ms = i
	default:
		return nil, errors.New("bad Extended JSON $date value")
	}
	return scalar(kOther, `{"$date":{"$numberLong":"`+strconv.FormatInt(ms, 10)+`"}}`)
}

// unwrapBinary reads {"$binary": {"base64", "subType"}} and the legacy {"$binary", "$type"}.
func unwrapBinary(n *node) (*node, error) {
	var b64, sub string
	var ok1, ok2 bool
	if v := n.field("$binary"); v != nil && v.kind == kObject && len(n.keys) == 1 && len(v.keys) == 2 {
		b64, ok1 = v.str("base64")
		sub, ok2 = v.str("subType")
	} else if len(n.keys) == 2 {
		b64, ok1 = n.str("$binary")
		sub, ok2 = n.str("$type")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	st, err2 := strconv.ParseUint(sub, 16, 8)
	if !ok1 || !ok2 || err != nil || err2 != nil || len(sub) > 2 {
		return nil, errors.New("bad Extended JSON $binary value")
	}
	return scalar(kOther, fmt.Sprintf(`{"$binary":{"base64":"%s","subType":"%02x"}}`, base64.StdEncoding.EncodeToString(raw), st))
}

// unwrapRegex reads {"$regularExpression": {"pattern", "options"}} and the legacy
// {"$regex", "$options"}; options are sorted, as canonical Extended JSON writes them.
func unwrapRegex(n *node) (*node, error) {
	var pat, opts string
	var ok1, ok2 bool
	if v := n.field("$regularExpression"); v != nil && v.kind == kObject && len(n.keys) == 1 && len(v.keys) == 2 {
		pat, ok1 = v.str("pattern")
		opts, ok2 = v.str("options")
	} else if len(n.keys) == 2 {
		pat, ok1 = n.str("$regex")
		opts, ok2 = n.str("$options")
	}
	if !ok1 || !ok2 {
		if n.keys[0] == "$regex" && len(n.keys) == 1 {
			return n, nil // a query operator kept as a document, as the driver does
		}
		return nil, errors.New("bad Extended JSON $regularExpression value")
	}
	o := []byte(opts)
	sort.Slice(o, func(i, j int) bool { return o[i] < o[j] })
	return scalar(kOther, `{"$regularExpression":{"pattern":`+quote(pat)+`,"options":`+quote(string(o))+`}}`)
}

// validDecimal accepts what a Decimal128 can hold: NaN, ±Infinity, or up to 34 digits with an
// exponent in range. Bounding the exponent keeps numberID's exact arithmetic small.
func validDecimal(s string) bool {
	switch strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+") {
	case "NaN", "Infinity", "Inf":
		return true
	}
	mant, exp, hasExp := strings.Cut(strings.ToUpper(s), "E")
	mant = strings.TrimLeft(mant, "+-")
	digits := strings.Replace(mant, ".", "", 1)
	if digits == "" || strings.Trim(digits, "0123456789") != "" || len(strings.TrimLeft(digits, "0")) > 34 {
		return false
	}
	if hasExp {
		e, err := strconv.Atoi(exp)
		if err != nil || e < -6200 || e > 6200 {
			return false
		}
	}
	return true
}

// quote writes a JSON string as the Go driver's Extended JSON writer does (no HTML escaping).
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// render writes a tree as compact canonical Extended JSON v2.
func render(n *node) string {
	var b strings.Builder
	writeTree(&b, n)
	return b.String()
}

func writeTree(b *strings.Builder, n *node) {
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
