// Package memstore is an in-memory deployment: databases, collections, indexes and documents
// held in maps, with the duplicate scan, keep rules and a guarded plan executor done in Go.
// It backs dupes --demo and the UI tests. It imports nothing of dupes but model, and groups
// documents by model.IndexKeys, the one definition of an index key (multikey arrays, missing
// equals null, numbers by value, the key's collation, ignore case and trim); groups and ids
// come in ascending order. Its document filter is equality on top-level paths only.
package memstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// Store is the in-memory deployment. It is safe for concurrent use.
type Store struct {
	// Delay, when set, is slept before each scan batch and each executed batch, so a demo shows
	// its spinner and progress bar the way a real server would.
	Delay time.Duration
	// ExecBatch is groups per executed batch; 500 when 0.
	ExecBatch int
	// Now is the clock of reports and backup names; time.Now when nil (tests pin it).
	Now func() time.Time
	// Command renders the aggregation a real server would run for a scan. This store groups
	// in Go and runs none, so it cannot say: dupes --demo sets the adapter's renderer here,
	// and the scan screen then shows what dupes sends MongoDB.
	Command func(model.Namespace, model.Key) (string, error)

	mu     sync.Mutex
	colls  map[model.Namespace]*collection
	backup map[string][]model.Doc
	// keepers holds, per backup path, the before-images of the keepers a merge updated.
	keepers map[string][]model.Doc
}

type collection struct {
	info    model.Collection
	indexes []model.Index
	docs    []model.Doc
}

// New returns an empty store.
func New() *Store {
	return &Store{colls: map[model.Namespace]*collection{}, backup: map[string][]model.Doc{}, keepers: map[string][]model.Doc{}}
}

// AddCollection creates (or replaces) a namespace of a kind, with its indexes.
func (s *Store) AddCollection(info model.Collection, indexes ...model.Index) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if info.Type == "" {
		info.Type = model.TypeCollection
	}
	s.colls[info.NS] = &collection{info: info, indexes: indexes}
}

// Insert adds documents to a collection, creating it if needed.
func (s *Store) Insert(ns model.Namespace, docs ...model.Doc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[ns]
	if c == nil {
		c = &collection{info: model.Collection{NS: ns, Type: model.TypeCollection}}
		s.colls[ns] = c
	}
	c.docs = append(c.docs, docs...)
}

// Docs returns a copy of a collection's documents, for tests.
func (s *Store) Docs(ns model.Namespace) []model.Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.colls[ns]; c != nil {
		return append([]model.Doc(nil), c.docs...)
	}
	return nil
}

// Backup returns the documents a run backed up under a backup path.
func (s *Store) Backup(path string) []model.Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Doc(nil), s.backup[path]...)
}

// Remove deletes a document by _id (to simulate a change made behind dupes' back).
func (s *Store) Remove(ns model.Namespace, id model.Value) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.colls[ns]; c != nil {
		c.remove(id)
	}
}

func (c *collection) remove(id model.Value) bool {
	for i, d := range c.docs {
		if d.ID == id {
			c.docs = append(c.docs[:i], c.docs[i+1:]...)
			return true
		}
	}
	return false
}

// replace puts a new version of a document in its place.
func (c *collection) replace(d model.Doc) {
	for i := range c.docs {
		if c.docs[i].ID == d.ID {
			c.docs[i] = d
			return
		}
	}
}

func (c *collection) find(id model.Value) (model.Doc, bool) {
	for _, d := range c.docs {
		if d.ID == id {
			return d, true
		}
	}
	return model.Doc{}, false
}

func (s *Store) coll(ns model.Namespace) (*collection, error) {
	c := s.colls[ns]
	if c == nil {
		return nil, fmt.Errorf("%s: no such collection", ns)
	}
	return c, nil
}

// Databases lists the databases, by name.
func (s *Store) Databases(ctx context.Context) ([]model.Database, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	size := map[string]int64{}
	for ns, c := range s.colls {
		for _, d := range c.docs {
			for _, f := range d.Fields {
				size[ns.DB] += int64(len(f.Path) + len(f.Value))
			}
		}
		size[ns.DB] += 0
	}
	out := make([]model.Database, 0, len(size))
	for name, n := range size {
		out = append(out, model.Database{Name: name, SizeOnDisk: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Collections lists a database's collections with their counts (-1 for views).
func (s *Store) Collections(ctx context.Context, db string) ([]model.Collection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.Collection
	for ns, c := range s.colls {
		if ns.DB != db {
			continue
		}
		info := c.info
		info.Count = int64(len(c.docs))
		if info.Type == model.TypeView {
			info.Count = -1
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NS.Coll < out[j].NS.Coll })
	return out, nil
}

// Indexes lists a collection's indexes.
func (s *Store) Indexes(ctx context.Context, ns model.Namespace) ([]model.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return nil, err
	}
	return append([]model.Index{{Name: "_id_", Fields: []string{"_id"}, Unique: true}}, c.indexes...), nil
}

// firstDocs is the store's sample of a collection: its first n documents (all when n is 0).
// Called with s.mu held.
func (s *Store) firstDocs(ns model.Namespace, n int) ([]model.Doc, error) {
	c, err := s.coll(ns)
	if err != nil {
		return nil, err
	}
	if n > 0 && len(c.docs) > n {
		return c.docs[:n], nil
	}
	return c.docs, nil
}

// SampleFields reports the paths of the first n documents with their types and fill rate.
func (s *Store) SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	docs, err := s.firstDocs(ns, n)
	if err != nil {
		return nil, err
	}
	type stat struct {
		present, order int
		types          map[string]int
	}
	stats := map[string]*stat{}
	for _, d := range docs {
		for _, f := range d.Fields {
			if !queryPath(f.Path) {
				continue // a field no index can key, as the adapter's sample leaves out
			}
			st := stats[f.Path]
			if st == nil {
				st = &stat{order: len(stats), types: map[string]int{}}
				stats[f.Path] = st
			}
			st.present++
			st.types[TypeName(f.Value)]++
		}
	}
	out := make([]model.FieldInfo, 0, len(stats))
	for p, st := range stats {
		fi := model.FieldInfo{Path: p, Present: st.present, Sampled: len(docs)}
		for t := range st.types {
			fi.Types = append(fi.Types, t)
		}
		sort.Slice(fi.Types, func(i, j int) bool {
			a, b := st.types[fi.Types[i]], st.types[fi.Types[j]]
			return a > b || (a == b && fi.Types[i] < fi.Types[j])
		})
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := stats[out[i].Path], stats[out[j].Path]
		return a.present > b.present || (a.present == b.present && a.order < b.order)
	})
	return out, nil
}

// TypeName is the BSON type name of an Extended JSON value, as $type spells it.
func TypeName(v model.Value) string { return v.TypeName() }

// matchFilter applies a document filter of top-level equalities, {"status": "active"}.
func matchFilter(d model.Doc, filter map[string]json.RawMessage) bool {
	for path, raw := range filter {
		want, err := model.ParseValue(string(raw))
		if err != nil || d.Get(path) != want {
			return false
		}
	}
	return true
}

func parseFilter(s string) (map[string]json.RawMessage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("filter %s is not a JSON document: %w", s, err)
	}
	for k := range m {
		if strings.HasPrefix(k, "$") {
			return nil, fmt.Errorf("filter %s: the demo store understands only field equalities", s)
		}
	}
	return m, nil
}

// groups computes a collection's duplicate groups under a key: documents sharing an index key
// (model.IndexKeys, compared by KeySpec.KeyID). A document with several keys (an array) can
// sit in several groups, as it collides with each in a unique index.
func groups(c *collection, k model.Key) ([]model.Group, error) {
	filter, err := parseFilter(k.Filter)
	if err != nil {
		return nil, err
	}
	spec := k.Spec()
	if err := spec.Collation.Check(); err != nil {
		return nil, err
	}
	byKey := map[string]*model.Group{}
	var order []*model.Group
	for _, d := range c.docs {
		if !matchFilter(d, filter) {
			continue
		}
		keys, err := keysOf(d, spec)
		if err != nil {
			return nil, err
		}
		for _, key := range keys {
			id := spec.KeyID(key)
			g := byKey[id]
			if g == nil {
				g = &model.Group{Key: key}
				byKey[id] = g
				order = append(order, g)
			}
			g.IDs = append(g.IDs, d.ID)
		}
	}
	var out []model.Group
	for _, g := range order {
		if len(g.IDs) < 2 {
			continue
		}
		sort.Slice(g.IDs, func(i, j int) bool { return model.Compare(g.IDs[i], g.IDs[j]) < 0 })
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		for f := range out[i].Key {
			if c := model.Compare(out[i].Key[f], out[j].Key[f]); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return out, nil
}

// Cursor streams a scan's groups.
type Cursor struct {
	groups []model.Group
	delay  time.Duration
	closed bool
}

// Scan computes the groups at once and hands them out in batches.
func (s *Store) Scan(ctx context.Context, ns model.Namespace, k model.Key) (interface {
	NextBatch(ctx context.Context, max int) ([]model.Group, error)
	Close(ctx context.Context) error
}, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return nil, err
	}
	gs, err := groups(c, k)
	if err != nil {
		return nil, err
	}
	return &Cursor{groups: gs, delay: s.Delay}, nil
}

// NextBatch returns up to max groups, io.EOF after the last.
func (cu *Cursor) NextBatch(ctx context.Context, max int) ([]model.Group, error) {
	if cu.closed {
		return nil, errors.New("cursor closed")
	}
	if cu.delay > 0 {
		select {
		case <-time.After(cu.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(cu.groups) == 0 {
		return nil, io.EOF
	}
	n := min(max, len(cu.groups))
	out := cu.groups[:n]
	cu.groups = cu.groups[n:]
	return out, nil
}

// Close ends the cursor.
func (cu *Cursor) Close(ctx context.Context) error { cu.closed = true; return nil }

// ScanCommand is the aggregation a real server would run for the scan (see Command).
func (s *Store) ScanCommand(ns model.Namespace, k model.Key) (string, error) {
	if err := k.Validate(); err != nil {
		return "", err
	}
	if s.Command == nil {
		return "", errors.New("the in-memory store groups without an aggregation")
	}
	return s.Command(ns, k)
}

// FetchDocs returns documents by _id in the order asked; missing ones are left out.
func (s *Store) FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return nil, err
	}
	var out []model.Doc
	for _, id := range ids {
		if d, ok := c.find(id); ok {
			d.Fingerprint = fingerprint(d)
			out = append(out, d)
		}
	}
	return out, nil
}

// Keepers applies a rule to groups. As the adapter's, it refuses max/min of a field that no
// member of any group holds (*model.UnknownFieldError).
func (s *Store) Keepers(ctx context.Context, ns model.Namespace, rule model.KeepRule, gs []model.Group) ([]int, error) {
	keep := make([]int, len(gs))
	held := false
	for i, g := range gs {
		var docs []model.Doc
		if rule.NeedsDocs() {
			var err error
			if docs, err = s.FetchDocs(ctx, ns, g.IDs); err != nil {
				return nil, err
			}
		}
		held = held || rule.FieldHeld(docs)
		k, err := rule.Keeper(g, docs)
		if err != nil {
			return nil, err
		}
		keep[i] = k
	}
	if !held && len(gs) > 0 {
		return nil, &model.UnknownFieldError{Field: rule.Field, In: model.InGroups}
	}
	return keep, nil
}

// queryPath reports whether every name of a Field's Path can stand in a query path.
func queryPath(path string) bool {
	for _, name := range model.SplitPath(path) {
		if !model.QueryName(name) {
			return false
		}
	}
	return true
}
