package model

import (
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
	return "[" + QuoteJSON(name) + "]"
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
	root := &object{}
	if d.Get("_id") == Missing && d.ID != "" {
		root.keys, root.vals = append(root.keys, "_id"), append(root.vals, d.ID)
	}
	for _, f := range d.Fields {
		o, names := root, SplitPath(f.Path)
		for _, name := range names[:len(names)-1] {
			o = o.sub(name)
		}
		o.keys, o.vals = append(o.keys, names[len(names)-1]), append(o.vals, f.Value)
	}
	var b strings.Builder
	writeRaw(&b, root)
	return []byte(b.String())
}

// sub is o's sub-document of that name, added last when o has none yet.
func (o *object) sub(name string) *object {
	for i, k := range o.keys {
		if s, ok := o.vals[i].(*object); ok && k == name {
			return s
		}
	}
	s := &object{}
	o.keys, o.vals = append(o.keys, name), append(o.vals, s)
	return s
}
