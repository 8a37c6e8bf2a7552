package memstore

import (
	"context"
	"fmt"

	"github.com/dupes-tui/dupes/model"
)

// MakeUnique makes an existing index unique in place, as MongoDB 6.0's collMod does: it
// fails while documents collide under it.
func (s *Store) MakeUnique(ctx context.Context, ns model.Namespace, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return err
	}
	for i, ix := range c.indexes {
		if ix.Name != name {
			continue
		}
		k := model.Key{Fields: ix.Fields, Sparse: ix.Sparse, PartialFilter: ix.PartialFilter, Collation: ix.Collation}
		gs, err := groups(c, k)
		if err != nil {
			return err
		}
		if len(gs) > 0 {
			return fmt.Errorf("cannot make %s unique: %d groups of duplicates remain under it", name, len(gs))
		}
		c.indexes[i].Unique = true
		return nil
	}
	return fmt.Errorf("%s has no index named %s", ns, name)
}

// DropIndex removes an index.
func (s *Store) DropIndex(ctx context.Context, ns model.Namespace, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return err
	}
	for i, ix := range c.indexes {
		if ix.Name == name {
			c.indexes = append(c.indexes[:i], c.indexes[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%s has no index named %s", ns, name)
}
