package model

import "errors"

// KeySpec is what decides a document's index keys.
type KeySpec struct {
	Fields    []string   // key pattern fields, in order (dotted paths)
	Sparse    bool       // no key when every key value comes from a missing field
	Collation *Collation // nil: binary comparison of strings
	// IgnoreCase and Trim are dupes' loose modes, applied to string key values as the scan does.
	IgnoreCase, Trim bool
}

// Spec is the key's index-key spec.
func (k Key) Spec() KeySpec {
	return KeySpec{Fields: k.Fields, Sparse: k.Sparse, Collation: k.Collation, IgnoreCase: k.IgnoreCase, Trim: k.Trim}
}

// IndexKey is one index key: one value per key field, canonical Extended JSON.
type IndexKey []Value

// ErrUnindexable marks a document MongoDB refuses to index (parallel arrays, ...).
var ErrUnindexable = errors.New("MongoDB cannot index this document")

// IndexKeys returns the distinct index keys of doc (TODO: being implemented).
func IndexKeys(doc []byte, spec KeySpec) ([]IndexKey, error) {
	return nil, errors.New("IndexKeys: not implemented yet")
}

// KeyID is a key's identity under the spec (TODO: being implemented).
func (s KeySpec) KeyID(k IndexKey) string { return "" }

// Collide reports whether two documents' key sets share a key.
func (s KeySpec) Collide(a, b []IndexKey) bool {
	ids := map[string]bool{}
	for _, k := range a {
		ids[s.KeyID(k)] = true
	}
	for _, k := range b {
		if ids[s.KeyID(k)] {
			return true
		}
	}
	return false
}
