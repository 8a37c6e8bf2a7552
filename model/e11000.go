package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// DupKeyError is what an E11000 duplicate key error says: the namespace, the unique index, and
// the key values that collided, so dupes can open that very group.
type DupKeyError struct {
	NS     Namespace
	Index  string
	Fields []string // key fields, when the message names them (keyPattern or "dup key: { f: … }")
	Values []Value  // one per field
}

// ParseE11000 reads an E11000 message in the server's modern or old format, or a driver
// error's JSON with keyPattern/keyValue.
//
// Formats read (anything may surround them, e.g. the driver's "write exception: …"):
//
//	E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "a@x.com" }
//	E11000 duplicate key error collection: shop.users index: email_1 dup key: { : "a@x.com" }
//	E11000 duplicate key error index: shop.users.$email_1  dup key: { : "a@x.com" }
//	{"code": 11000, "errmsg": "E11000 …", "keyPattern": {"email": 1}, "keyValue": {"email": "a@x.com"}}
//	Duplicate key violation on the requested collection: Index 'email_1'
//
// The last is FerretDB's: it names only the index, so NS, Fields and Values stay empty and
// the caller must find the collection and key some other way (see Partial).
// Values come back as canonical Extended JSON. The server prints them in shell syntax
// (ObjectId('…'), new Date(…), 1.5); integers become Int32 (or Int64 when larger), which
// queries match against any numeric type, as the index does.
func ParseE11000(msg string) (DupKeyError, error) {
	s := strings.TrimSpace(msg)
	if strings.HasPrefix(s, "{") && json.Valid([]byte(s)) {
		return parseE11000JSON(s)
	}
	return parseE11000Text(s)
}

var errNotE11000 = errors.New("not an E11000 duplicate key error: the message should contain \"E11000 duplicate key error\" (or FerretDB's \"Duplicate key violation\")")

func parseE11000Text(s string) (DupKeyError, error) {
	var d DupKeyError
	at := strings.Index(s, "E11000")
	if at < 0 {
		return parseFerretDup(s)
	}
	rest := s[at:]
	if coll, ok := after(rest, "collection: "); ok {
		// Modern: "collection: DB.COLL index: NAME".
		nsText, tail, found := strings.Cut(coll, " index: ")
		if !found {
			return d, errors.New("E11000 message names a collection but no index")
		}
		ns, err := ParseNamespace(strings.TrimSpace(nsText))
		if err != nil {
			return d, fmt.Errorf("E11000 message: %w", err)
		}
		d.NS, d.Index = ns, firstWord(tail)
		rest = tail
	} else if ix, ok := after(rest, "index: "); ok {
		// Before MongoDB 3.4: "index: DB.COLL.$NAME" (collection names cannot hold '$').
		full := firstWord(ix)
		nsText, name, found := strings.Cut(full, ".$")
		if !found {
			return d, fmt.Errorf("E11000 message: index %q is not DB.COLL.$NAME", full)
		}
		ns, err := ParseNamespace(nsText)
		if err != nil {
			return d, fmt.Errorf("E11000 message: %w", err)
		}
		d.NS, d.Index = ns, name
		rest = ix
	} else {
		return d, errors.New("E11000 message names no collection and no index")
	}
	if d.Index == "" {
		return d, errors.New("E11000 message names no index")
	}
	key, ok := after(rest, "dup key: ")
	if !ok {
		return d, fmt.Errorf("E11000 message for %s index %s has no \"dup key: { … }\" part (was it cut short?)", d.NS, d.Index)
	}
	p := &shellParser{s: key}
	names, vals, err := p.document()
	if err != nil {
		return d, fmt.Errorf("E11000 message: dup key: %w", err)
	}
	if len(vals) == 0 {
		return d, errors.New("E11000 message: dup key is empty")
	}
	d.Values = vals
	d.Fields = names
	for _, n := range names {
		if n == "" {
			d.Fields = nil // pre-4.2 servers leave the field names out: "{ : "a" }"
			break
		}
	}
	return d, nil
}

// ferretDup is how FerretDB (on DocumentDB) words error 11000: no namespace, no key values.
const ferretDup = "Duplicate key violation on the requested collection: Index '"

// Partial reports a message that names the index but neither the collection nor the key
// values (FerretDB's form): the group it speaks of cannot be opened from the message alone.
func (d DupKeyError) Partial() bool { return d.NS.DB == "" && len(d.Values) == 0 }

func parseFerretDup(s string) (DupKeyError, error) {
	rest, ok := after(s, ferretDup)
	if !ok {
		return DupKeyError{}, errNotE11000
	}
	name, _, closed := strings.Cut(rest, "'")
	if !closed || name == "" {
		return DupKeyError{}, errors.New("duplicate key message: the index name is cut short")
	}
	return DupKeyError{Index: name}, nil
}

// parseE11000JSON reads a driver error rendered as JSON: keyPattern and keyValue (anywhere in
// it, e.g. inside writeErrors) name the fields and values; the message gives namespace and index.
func parseE11000JSON(s string) (DupKeyError, error) {
	root, err := decode(Value(s))
	if err != nil {
		return DupKeyError{}, fmt.Errorf("E11000 JSON: %w", err)
	}
	var msg string
	var pattern, values *object
	walkJSON(root, 0, func(k string, v any) {
		switch t := v.(type) {
		case string:
			if msg == "" && (strings.Contains(t, "E11000") || strings.Contains(t, ferretDup)) {
				msg = t
			}
		case object:
			if k == "keyPattern" && pattern == nil {
				pattern = &t
			}
			if k == "keyValue" && values == nil {
				values = &t
			}
		}
	})
	if msg == "" {
		return DupKeyError{}, errNotE11000
	}
	d, err := parseE11000Text(msg)
	if values == nil || len(values.keys) == 0 {
		return d, err
	}
	if d.NS.DB == "" || d.Index == "" {
		// The JSON's values are of no use without the namespace and index the message names.
		return d, err
	}
	d.Fields = append([]string(nil), values.keys...)
	if pattern != nil && len(pattern.keys) == len(values.keys) {
		d.Fields = append([]string(nil), pattern.keys...)
	}
	d.Values = make([]Value, len(values.vals))
	for i, v := range values.vals {
		d.Values[i] = canonical(v)
	}
	return d, nil
}

// walkJSON calls fn for every member of every object, depth-first, up to a sane depth.
func walkJSON(n any, depth int, fn func(string, any)) {
	if depth > 32 {
		return
	}
	switch t := n.(type) {
	case object:
		for i, k := range t.keys {
			fn(k, t.vals[i])
			walkJSON(t.vals[i], depth+1, fn)
		}
	case []any:
		for _, e := range t {
			walkJSON(e, depth+1, fn)
		}
	}
}

// canonical renders a decoded relaxed Extended JSON node as canonical Extended JSON: plain
// numbers become typed ({"$numberInt": …}), wrappers and the rest keep their meaning.
func canonical(n any) Value {
	var b strings.Builder
	writeCanonical(&b, n)
	return Value(b.String())
}

func writeCanonical(b *strings.Builder, n any) {
	switch t := n.(type) {
	case json.Number:
		b.WriteString(string(numberValue(t.String())))
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case object:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(k)
			b.Write(q)
			b.WriteByte(':')
			writeCanonical(b, t.vals[i])
		}
		b.WriteByte('}')
	default:
		// Strings, booleans, null and $-wrappers are canonical already, or relaxed forms
		// ({"$date": "2024-…"}) that every Extended JSON reader takes: copied as they are.
		writeRaw(b, t)
	}
}

// writeRaw writes a decoded node back as the JSON it was, object key order kept.
func writeRaw(b *strings.Builder, n any) {
	switch t := n.(type) {
	case json.Number:
		b.WriteString(t.String())
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeRaw(b, e)
		}
		b.WriteByte(']')
	case object:
		writeMembers(b, t.keys, func(i int) any { return t.vals[i] })
	case *object:
		writeRaw(b, *t)
	case Value:
		b.WriteString(string(t)) // already JSON (DocJSON's leaves)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		writeMembers(b, keys, func(i int) any { return t[keys[i]] })
	default:
		raw, _ := json.Marshal(t)
		b.Write(raw)
	}
}

func writeMembers(b *strings.Builder, keys []string, val func(int) any) {
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(k)
		b.Write(q)
		b.WriteByte(':')
		writeRaw(b, val(i))
	}
	b.WriteByte('}')
}

// after returns what follows the first occurrence of marker.
func after(s, marker string) (string, bool) {
	i := strings.Index(s, marker)
	if i < 0 {
		return "", false
	}
	return s[i+len(marker):], true
}

func firstWord(s string) string {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t\r\n,"); i >= 0 {
		return s[:i]
	}
	return s
}
