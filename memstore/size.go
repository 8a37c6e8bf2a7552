package memstore

import (
	"context"

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
