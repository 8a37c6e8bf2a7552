package mongo

import (
	"encoding/binary"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// keyGuard decides, on the re-read documents, whether a group still stands: its keeper still
// has the group's key, and each member still collides with the keeper, as the unique index
// would decide it (model.IndexKeys, dupes' one definition of a duplicate). It chooses what to
// back up and delete and says why the rest is skipped; the delete itself is guarded by the
// whole document (guardFilter), which keeps a document that changes after this check.
type keyGuard struct {
	spec model.KeySpec
	// extra is the user's filter and the index's partial filter, which only the server
	// evaluates: the re-read reads through it.
	extra bson.D
}

func newKeyGuard(key model.Key) (keyGuard, error) {
	g := keyGuard{spec: key.Spec()}
	if err := key.Collation.Check(); err != nil {
		return g, err
	}
	// The sparse rule is the key generator's (no key when every key field is missing).
	k := key
	k.Sparse = false
	m, err := scanMatch(k)
	if err != nil {
		return g, err
	}
	g.extra = m
	return g, nil
}

// keys are a re-read document's index keys, or an error where MongoDB would not index it
// (parallel arrays...) or the collation cannot decide one of its strings.
func (g keyGuard) keys(doc bson.Raw) ([]model.IndexKey, error) {
	js, err := bson.MarshalExtJSON(g.keyFields(doc), true, false)
	if err != nil {
		return nil, err
	}
	return model.IndexKeys(js, g.spec)
}

// keyFields is the part of doc the key generator reads: every top-level field a key path
// starts with, as it is, in order; the whole document for a whole-document key. So a 2 MB
// document whose key is a short field is not written out and read back whole for each check,
// which held several times its size for a moment (BENCHMARKS.md, "Memory by batch bytes").
func (g keyGuard) keyFields(doc bson.Raw) bson.Raw {
	if g.spec.WholeDocument {
		return doc
	}
	elems, err := doc.Elements()
	if err != nil {
		return doc // the generator says what is wrong with it
	}
	out := make([]byte, 4, 64)
	for _, e := range elems {
		for _, f := range g.spec.Fields {
			if name, _, _ := strings.Cut(f, "."); e.Key() == name {
				out = append(out, e...)
				break
			}
		}
	}
	out = append(out, 0)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}

// holds reports whether a document's keys include the group's key.
func (g keyGuard) holds(keys []model.IndexKey, groupKey []model.Value) bool {
	return g.spec.Collide(keys, []model.IndexKey{groupKey})
}
