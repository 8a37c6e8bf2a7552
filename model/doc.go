package model

// Doc is one document flattened to its leaves: sub-documents become dotted paths
// ("address.city"), arrays stay whole values. Fields keep the document's order.
type Doc struct {
	ID     Value
	Fields []Field
	// Fingerprint is the version read (see Fingerprint), set by the stores' FetchDocs: what
	// the TUI records of a member it showed.
	Fingerprint Fingerprint
}

// Field is one leaf of a document.
type Field struct {
	Path  string
	Value Value
}

// Get returns the value at a path, or Missing.
func (d Doc) Get(path string) Value {
	for _, f := range d.Fields {
		if f.Path == path {
			return f.Value
		}
	}
	return Missing
}

// Present counts the leaves that hold something other than null.
func (d Doc) Present() int {
	n := 0
	for _, f := range d.Fields {
		if f.Value != Null && f.Value != Missing {
			n++
		}
	}
	return n
}

// DiffRow is one field path across the members of a group.
type DiffRow struct {
	Path   string
	Values []Value // one per document, Missing where absent
	Same   bool    // every document holds the same value
}

// Diff lines documents up field by field, paths in order of first appearance, so a view can
// highlight what differs and dim what all members share.
func Diff(docs []Doc) []DiffRow {
	index := map[string]int{}
	var rows []DiffRow
	for i, d := range docs {
		for _, f := range d.Fields {
			r, ok := index[f.Path]
			if !ok {
				r = len(rows)
				index[f.Path] = r
				rows = append(rows, DiffRow{Path: f.Path, Values: make([]Value, len(docs))})
			}
			rows[r].Values[i] = f.Value
		}
	}
	for r := range rows {
		rows[r].Same = true
		for _, v := range rows[r].Values[1:] {
			if v != rows[r].Values[0] {
				rows[r].Same = false
				break
			}
		}
	}
	return rows
}
