package model

import (
	"bytes"
	"encoding/json"
	"strings"
)

// PathName is one field name as it stands in a Field's Path. A name a query path can name is
// itself; any other ("a.b", "$x", "", or one starting with '[') is written ["a.b"], a JSON
// string in brackets, so a field named "a.b" is never shown or rebuilt as the sub-document
// {a: {b: …}}, and never matches the path a.b, as MongoDB would not.
func PathName(name string) string {
	if QueryName(name) && name[0] != '[' {
		return name
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(name) // a string always encodes
	return "[" + strings.TrimSuffix(b.String(), "\n") + "]"
}

// QueryName reports whether a query path (and an index key) can name the field: not empty,
// no dot in it, not starting with '$'.
func QueryName(name string) bool {
	return name != "" && !strings.Contains(name, ".") && name[0] != '$'
}

// SplitPath is a Field's Path as its field names: the inverse of joining PathNames with dots.
func SplitPath(path string) []string {
	var names []string
	for {
		if name, rest, ok := bracketed(path); ok {
			names = append(names, name)
			if rest == "" {
				return names
			}
			path = rest[1:] // the dot after "]"
			continue
		}
		name, rest, more := strings.Cut(path, ".")
		names = append(names, name)
		if !more {
			return names
		}
		path = rest
	}
}

// bracketed reads a leading ["name"] of path; rest starts after the "]", at a dot or the end.
func bracketed(path string) (name, rest string, ok bool) {
	if !strings.HasPrefix(path, `["`) {
		return "", "", false
	}
	dec := json.NewDecoder(strings.NewReader(path[1:]))
	if err := dec.Decode(&name); err != nil {
		return "", "", false
	}
	end := 1 + int(dec.InputOffset())
	if end >= len(path) || path[end] != ']' || (end+1 < len(path) && path[end+1] != '.') {
		return "", "", false
	}
	return name, path[end+1:], true
}

// DocJSON rebuilds a flattened document as compact Extended JSON, fields in the document's
// order, sub-documents from the paths' field names. The _id comes first when the fields lack it.
func DocJSON(d Doc) []byte {
	root := &jsonObject{}
	if d.Get("_id") == Missing && d.ID != "" {
		root.child("_id").val = d.ID
	}
	for _, f := range d.Fields {
		o := root
		for _, name := range SplitPath(f.Path) {
			o = o.child(name)
		}
		o.val = f.Value
	}
	var b bytes.Buffer
	root.write(&b)
	return b.Bytes()
}

// jsonObject is a document being rebuilt: a leaf's value, or named members in order.
type jsonObject struct {
	val   Value
	names []string
	kids  []*jsonObject
}

func (o *jsonObject) child(name string) *jsonObject {
	for i, n := range o.names {
		if n == name {
			return o.kids[i]
		}
	}
	c := &jsonObject{}
	o.names, o.kids = append(o.names, name), append(o.kids, c)
	return c
}

func (o *jsonObject) write(b *bytes.Buffer) {
	if o.val != "" && len(o.kids) == 0 {
		b.WriteString(string(o.val))
		return
	}
	b.WriteByte('{')
	for i, name := range o.names {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(name)
		b.Write(q)
		b.WriteByte(':')
		o.kids[i].write(b)
	}
	b.WriteByte('}')
}
