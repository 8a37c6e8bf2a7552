package memstore

import (
	"errors"

	"github.com/dupes-tui/dupes/model"
)

// The store asks model.IndexKeys what a document's keys are, the one definition of
// "duplicate" the scan, the guard and `dupes keys` share: arrays are multikey, an empty array
// is undefined, numbers compare by value, strings by the key's collation.

// keysOf is a document's index keys under spec. A document MongoDB refuses to index (parallel
// arrays) has none: no unique index can hold it, so it is nobody's duplicate.
func keysOf(d model.Doc, spec model.KeySpec) ([]model.IndexKey, error) {
	keys, err := model.IndexKeys(model.DocJSON(d), spec)
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
