package model

import "strings"

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
// The name is a JSON string as QuoteJSON writes it, read back by the driver.
func bracketed(path string) (name, rest string, ok bool) {
	if !strings.HasPrefix(path, `["`) {
		return "", "", false
	}
	end := scalarEnd(path, 1) // after the closing quote, if there is one
	if end >= len(path) || path[end] != ']' || (end+1 < len(path) && path[end+1] != '.') {
		return "", "", false
	}
	doc, err := ReadDoc([]byte(`{"v":` + path[1:end] + `}`))
	if err != nil {
		return "", "", false
	}
	name, ok = doc.Lookup("v").StringValueOK()
	return name, path[end+1:], ok
}

// DocJSON rebuilds a flattened document as compact canonical Extended JSON, fields in the
// document's order, sub-documents from the paths' field names. The _id comes first when the
// fields lack it. Field names are written by the driver (quote); each value is the Value's
// text, which the driver wrote (ValueOf).
func DocJSON(d Doc) []byte {
	root := &node{kind: kObject}
	if d.Get("_id") == Missing && d.ID != "" {
		root.addField("_id", valueLeaf(d.ID))
	}
	for _, f := range d.Fields {
		if f.Value == Missing {
			continue // an absent field has no text
		}
		o, names := root, SplitPath(f.Path)
		for _, name := range names[:len(names)-1] {
			o = o.subDoc(name)
		}
		o.addField(names[len(names)-1], valueLeaf(f.Value))
	}
	return []byte(render(root))
}

// valueLeaf is a node that render writes as v's text.
func valueLeaf(v Value) *node { return &node{kind: kOther, text: string(v)} }

func (o *node) addField(name string, kid *node) {
	o.keys, o.kids = append(o.keys, name), append(o.kids, kid)
}

// subDoc is o's sub-document of that name that DocJSON is building, added last when o has none yet.
func (o *node) subDoc(name string) *node {
	for i, k := range o.keys {
		if s := o.kids[i]; k == name && s.kind == kObject && s.raw.Type == 0 {
			return s
		}
	}
	s := &node{kind: kObject}
	o.addField(name, s)
	return s
}
