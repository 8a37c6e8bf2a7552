package model

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Display renders the value the way mongosh prints it: ObjectId('…'), ISODate('…'), plain
// numbers, quoted strings, { a: 1 } for documents. Unknown shapes fall back to the JSON text.
// Each type has this one form, whatever the width it is shown in, and the result is safe to
// print: control, C1 and bidi characters in strings and field names are escaped (SafeText).
func (v Value) Display() string {
	if v == Missing {
		return "(missing)"
	}
	node, err := decode(v)
	if err != nil {
		return SafeText(string(v))
	}
	var b strings.Builder
	writeDisplay(&b, node, false)
	return b.String()
}

// ObjectIDTime returns the creation time embedded in an ObjectId value.
func (v Value) ObjectIDTime() (time.Time, bool) {
	node, err := decode(v)
	if err != nil {
		return time.Time{}, false
	}
	m, ok := node.(map[string]any)
	if !ok || len(m) != 1 {
		return time.Time{}, false
	}
	h, ok := m["$oid"].(string)
	if !ok {
		return time.Time{}, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || len(raw) != 12 {
		return time.Time{}, false
	}
	secs := int64(raw[0])<<24 | int64(raw[1])<<16 | int64(raw[2])<<8 | int64(raw[3])
	return time.Unix(secs, 0).UTC(), true
}

// decode parses Extended JSON keeping object key order (BSON documents are ordered).
func decode(v Value) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(v)))
	dec.UseNumber()
	return decodeNode(dec)
}

// object is a JSON object with its keys in document order.
type object struct {
	keys []string
	vals []any
}

func decodeNode(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			var arr []any
			for dec.More() {
				n, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, n)
			}
			_, err := dec.Token()
			if arr == nil {
				arr = []any{}
			}
			return arr, err
		case '{':
			var o object
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, kt.(string))
				o.vals = append(o.vals, n)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if len(o.keys) > 0 && strings.HasPrefix(o.keys[0], "$") {
				// Extended JSON wrappers are small; a map makes them easy to read.
				m := make(map[string]any, len(o.keys))
				for i, k := range o.keys {
					m[k] = o.vals[i]
				}
				return m, nil
			}
			return o, nil
		}
	}
	return tok, nil
}

// writeDisplay writes a decoded value; typed writes numbers with their type (Int32(5),
// Long(5), Double(5.0)), for values that differ only there.
func writeDisplay(b *strings.Builder, node any, typed bool) {
	switch n := node.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(n))
	case string:
		writeQuoted(b, n)
	case json.Number:
		b.WriteString(n.String())
	case []any:
		b.WriteByte('[')
		for i, e := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			writeDisplay(b, e, typed)
		}
		b.WriteByte(']')
	case object:
		if len(n.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(SafeText(k))
			b.WriteString(": ")
			writeDisplay(b, n.vals[i], typed)
		}
		b.WriteString(" }")
	case map[string]any:
		writeWrapper(b, n, typed)
	default:
		b.WriteString("?")
	}
}

// writeWrapper renders one Extended JSON type wrapper ({"$oid": …} and friends).
func writeWrapper(b *strings.Builder, m map[string]any, typed bool) {
	// Wrapper fields are safe coming from the driver; a plan file could hold anything.
	str := func(k string) string { s, _ := m[k].(string); return SafeText(s) }
	sub := func(k string) map[string]any { return asMap(m[k]) }
	switch {
	case has(m, "$oid"):
		b.WriteString("ObjectId('" + str("$oid") + "')")
	case has(m, "$numberInt") && typed:
		b.WriteString("Int32(" + str("$numberInt") + ")")
	case has(m, "$numberLong") && typed:
		b.WriteString("Long(" + str("$numberLong") + ")")
	case has(m, "$numberInt"), has(m, "$numberLong"):
		b.WriteString(str("$numberInt") + str("$numberLong"))
	case has(m, "$numberDouble"):
		s := str("$numberDouble")
		if !strings.ContainsAny(s, ".eEIN") {
			s += ".0" // keep doubles visibly different from integers
		}
		if typed {
			s = "Double(" + s + ")"
		}
		b.WriteString(s)
	case has(m, "$numberDecimal"):
		b.WriteString("Decimal128('" + str("$numberDecimal") + "')")
	case has(m, "$date"):
		if ms, ok := dateMillis(m); ok {
			b.WriteString("ISODate('" + time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") + "')")
		} else {
			b.WriteString("ISODate(?)")
		}
	case has(m, "$binary"):
		bin := sub("$binary")
		data, _ := bin["base64"].(string)
		st, _ := bin["subType"].(string)
		data, st = SafeText(data), SafeText(st)
		if raw, err := base64.StdEncoding.DecodeString(data); err == nil && st == "04" && len(raw) == 16 {
			h := hex.EncodeToString(raw)
			b.WriteString("UUID('" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + "')")
		} else {
			b.WriteString("Binary('" + data + "', " + st + ")")
		}
	case has(m, "$timestamp"):
		ts := sub("$timestamp")
		b.WriteString("Timestamp({ t: " + numText(ts["t"]) + ", i: " + numText(ts["i"]) + " })")
	case has(m, "$regularExpression"):
		re := sub("$regularExpression")
		p, _ := re["pattern"].(string)
		o, _ := re["options"].(string)
		b.WriteString("/" + SafeText(p) + "/" + SafeText(o))
	case has(m, "$minKey"):
		b.WriteString("MinKey()")
	case has(m, "$maxKey"):
		b.WriteString("MaxKey()")
	case has(m, "$undefined"):
		b.WriteString("undefined")
	case has(m, "$symbol"):
		b.WriteString("Symbol(")
		sym, _ := m["$symbol"].(string)
		writeQuoted(b, sym)
		b.WriteString(")")
	case has(m, "$code"):
		b.WriteString("Code(")
		code, _ := m["$code"].(string)
		writeQuoted(b, code)
		b.WriteString(")")
	default:
		// A document whose first key starts with '$' but is no wrapper: print it as JSON.
		raw, _ := json.Marshal(m)
		b.WriteString(SafeText(string(bytes.TrimSpace(raw))))
	}
}

func has(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// asMap reads a wrapper's inner document ({"base64": …, "subType": …}), whose keys do not
// start with '$' and so decode as an ordered object.
func asMap(n any) map[string]any {
	switch t := n.(type) {
	case map[string]any:
		return t
	case object:
		m := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			m[k] = t.vals[i]
		}
		return m
	}
	return nil
}

func numText(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return "?"
}

// dateMillis reads {"$date": {"$numberLong": "…"}} (canonical) or a relaxed ISO string.
func dateMillis(m map[string]any) (int64, bool) {
	switch d := m["$date"].(type) {
	case map[string]any:
		s, _ := d["$numberLong"].(string)
		ms, err := strconv.ParseInt(s, 10, 64)
		return ms, err == nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, d)
		return t.UnixMilli(), err == nil
	case json.Number:
		ms, err := d.Int64()
		return ms, err == nil
	}
	return 0, false
}
