package model

import (
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
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
	if strings.HasPrefix(s, "{") {
		if doc, err := ReadDoc([]byte(s)); err == nil {
			return parseE11000Doc(doc)
		}
	}
	if strings.Contains(s, "could not create exclusion constraint") {
		return DupKeyError{}, errExclusion
	}
	return parseE11000Text(s)
}

// errExclusion answers FerretDB's other duplicate-key message, from a unique index build over
// duplicates: it names a PostgreSQL constraint, neither the index nor the collection nor a key.
var errExclusion = errors.New("this is FerretDB's failed unique index build (\"could not create exclusion constraint\"): " +
	"it names neither the index, nor the collection, nor the values that collided. Scan the key of the index you were " +
	"building: pick its fields on the key screen, or dupes scan --ns DB.COLL --key FIELDS")

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

// parseE11000Doc reads a driver error rendered as JSON, which the driver has read: keyPattern
// and keyValue (anywhere in it, e.g. inside writeErrors) name the fields and values; the
// message gives namespace and index. The values are written by the driver (ValueOf), so they
// equal what the adapter writes for the same BSON values.
func parseE11000Doc(doc bson.Raw) (DupKeyError, error) {
	var msg string
	var pattern, values bson.Raw
	walkDoc(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, 0, func(k string, v bson.RawValue) {
		switch v.Type {
		case bson.TypeString:
			if t := v.StringValue(); msg == "" && (strings.Contains(t, "E11000") || strings.Contains(t, ferretDup)) {
				msg = t
			}
		case bson.TypeEmbeddedDocument:
			if k == "keyPattern" && pattern == nil {
				pattern = v.Document()
			}
			if k == "keyValue" && values == nil {
				values = v.Document()
			}
		}
	})
	if msg == "" {
		return DupKeyError{}, errNotE11000
	}
	d, err := parseE11000Text(msg)
	vals, _ := values.Elements()
	if len(vals) == 0 {
		return d, err
	}
	if d.NS.DB == "" || d.Index == "" {
		// The JSON's values are of no use without the namespace and index the message names.
		return d, err
	}
	d.Fields, d.Values = make([]string, len(vals)), make([]Value, len(vals))
	for i, e := range vals {
		d.Fields[i] = e.Key()
		if d.Values[i], err = ValueOf(e.Value()); err != nil {
			return DupKeyError{}, fmt.Errorf("E11000 JSON: keyValue %s: %w", e.Key(), err)
		}
	}
	if keys, _ := pattern.Elements(); len(keys) == len(vals) {
		for i, e := range keys {
			d.Fields[i] = e.Key()
		}
	}
	return d, nil
}

// walkDoc calls fn for every member of every document, depth-first, up to a sane depth.
func walkDoc(v bson.RawValue, depth int, fn func(string, bson.RawValue)) {
	if depth > 32 {
		return
	}
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		for _, e := range elems {
			fn(e.Key(), e.Value())
			walkDoc(e.Value(), depth+1, fn)
		}
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		for _, e := range vals {
			walkDoc(e, depth+1, fn)
		}
	}
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
