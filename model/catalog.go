package model

import "fmt"

// Database is one database of a deployment.
type Database struct {
	Name       string
	SizeOnDisk int64
}

// CollectionType says what kind of namespace a collection is.
type CollectionType string

// Collection types as listCollections reports them.
const (
	TypeCollection CollectionType = "collection"
	TypeView       CollectionType = "view"
	TypeTimeseries CollectionType = "timeseries"
)

// Collection is one namespace with what the UI needs to decide whether it may touch it.
type Collection struct {
	NS     Namespace
	Type   CollectionType
	Capped bool
	// Count is the server's estimate (metadata, not a scan); -1 where unknown (views).
	Count int64
	// ViewOn is a view's source collection (in the same database), "" otherwise.
	ViewOn string
	// Collation is the collection's default collation, nil for binary comparison: a unique
	// index built on the collection without a collation of its own takes it.
	Collation *Collation
}

// System reports a system collection (system.*), which dupes never writes to.
func (c Collection) System() bool {
	return len(c.NS.Coll) >= 7 && c.NS.Coll[:7] == "system."
}

// CanDelete says whether dupes may delete from the collection, and if not, why.
func (c Collection) CanDelete() error {
	switch {
	case c.Type == TypeView:
		return fmt.Errorf("%s is a view: its documents live in another collection; scan that one", c.NS)
	case c.Type == TypeTimeseries:
		return fmt.Errorf("%s is a time-series collection: dupes does not delete measurements", c.NS)
	case c.Type != TypeCollection:
		return fmt.Errorf("%s is a %s, not a collection", c.NS, c.Type)
	case c.System():
		return fmt.Errorf("%s is a system collection: dupes never writes to it", c.NS)
	case c.Capped:
		return fmt.Errorf("%s is capped: MongoDB does not allow deleting from capped collections", c.NS)
	}
	return nil
}

// Index is one index of a collection, with the options that shape uniqueness.
type Index struct {
	Name   string
	Fields []string // key paths in order
	Unique bool
	Sparse bool
	// PartialFilter is the partialFilterExpression as relaxed Extended JSON, or "".
	PartialFilter string
	Collation     *Collation
}

// Key is the duplicate key with exactly this index's semantics.
func (ix Index) Key() Key {
	return Key{
		Fields:        append([]string(nil), ix.Fields...),
		Index:         ix.Name,
		Sparse:        ix.Sparse,
		PartialFilter: ix.PartialFilter,
		Collation:     ix.Collation,
	}
}

// FieldInfo describes one field path seen in a sample of a collection.
type FieldInfo struct {
	Path    string
	Types   []string // BSON type names seen, most frequent first
	Present int      // sampled documents holding the path
	Sampled int      // documents sampled
}

// FillRate is the share of sampled documents that hold the path.
func (f FieldInfo) FillRate() float64 {
	if f.Sampled == 0 {
		return 0
	}
	return float64(f.Present) / float64(f.Sampled)
}

// WithDefaultCollation gives a key without a collation of its own the collection's default
// one: the server compares under it unless told otherwise, and a unique index built on the
// collection without a collation takes it. A key from an index, a whole-document key, or a
// collection without a default is returned as it is; applied reports whether it changed. A
// default collation dupes cannot decide exactly is an error, not a silent binary comparison.
func (k Key) WithDefaultCollation(col Collection) (key Key, applied bool, err error) {
	if k.Collation != nil || k.Index != "" || k.WholeDocument || col.Collation == nil {
		return k, false, nil
	}
	if err := col.Collation.Check(); err != nil {
		return k, false, fmt.Errorf("%s has a default collation dupes cannot decide exactly: %w", col.NS, err)
	}
	k.Collation = col.Collation
	return k, true, nil
}
