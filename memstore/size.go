package memstore

import (
	"context"
	"fmt"

	"github.com/dupes-tui/dupes/model"
)

// AvgDocSize is the average size of the collection's documents, as a server's avgObjSize
// says it: here the length of their JSON, which is close to their BSON size.
func (s *Store) AvgDocSize(ctx context.Context, ns model.Namespace) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return 0, err
	}
	if len(c.docs) == 0 {
		return 0, nil
	}
	var n int64
	for _, d := range c.docs {
		n += int64(len(model.DocJSON(d)))
	}
	return n / int64(len(c.docs)), nil
}

// BackupSizeEstimate is how many bytes a backup of the documents ids would hold, as the
// server's store estimates it: here exactly, their BSON read from their JSON. A document no
// longer there counts as nothing.
func (s *Store) BackupSizeEstimate(ctx context.Context, ns model.Namespace, ids []model.Value) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return 0, err
	}
	want := make(map[model.Value]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var n int64
	for _, d := range c.docs {
		if !want[d.ID] {
			continue
		}
		raw, err := model.ReadDoc(model.DocJSON(d))
		if err != nil {
			return 0, fmt.Errorf("size of document %s: %w", d.ID, err)
		}
		n += int64(len(raw))
	}
	return n, nil
}
