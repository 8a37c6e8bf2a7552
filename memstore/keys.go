package memstore

import (
	"errors"
	"strings"

	"github.com/dupes-tui/dupes/model"
)

// The store asks model.IndexKeys what a document's keys are, the one definition of
// "duplicate" the scan, the guard and `dupes keys` share: arrays are multikey, an empty array
// is undefined, numbers compare by value, strings by the key's collation.

// keysOf is a document's index keys under spec. A document MongoDB refuses to index (parallel
// arrays) has none: no unique index can hold it, so it is nobody's duplicate.
func keysOf(d model.Doc, spec model.KeySpec) ([]model.IndexKey, error) {
	keys, err := model.IndexKeys(docJSON(d), spec)
	if errors.Is(err, model.ErrUnindexable) {
		return nil, nil
	}
	return keys, err
}

// hasKey reports whether the document still has the key (under the spec's comparison).
func hasKey(d model.Doc, spec model.KeySpec, key []model.Value) bool {
	keys, err := keysOf(d, spec)
	if err != nil {
		return false
	}
	id := spec.KeyID(key)
	for _, k := range keys {
		if spec.KeyID(k) == id {
			return true
		}
	}
	return false
}

// docJSON rebuilds a flattened document (dotted leaf paths, in order) as Extended JSON.
func docJSON(d model.Doc) []byte {
	type obj struct {
		keys []string
		vals []any // model.Value or *obj
	}
	root := &obj{}
	for _, f := range d.Fields {
		o, parts := root, strings.Split(f.Path, ".")
		for _, p := range parts[:len(parts)-1] {
			var next *obj
			for i, k := range o.keys {
				if sub, ok := o.vals[i].(*obj); ok && k == p {
					next = sub
				}
			}
			if next == nil {
				next = &obj{}
				o.keys, o.vals = append(o.keys, p), append(o.vals, next)
			}
			o = next
		}
		o.keys, o.vals = append(o.keys, parts[len(parts)-1]), append(o.vals, f.Value)
	}
	var b strings.Builder
	var write func(o *obj)
	write = func(o *obj) {
		b.WriteByte('{')
		for i, k := range o.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(string(str(k)))
			b.WriteByte(':')
			switch v := o.vals[i].(type) {
			case *obj:
				write(v)
			case model.Value:
				b.WriteString(string(v))
			}
		}
		b.WriteByte('}')
	}
	write(root)
	return []byte(b.String())
}
