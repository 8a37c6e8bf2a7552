package memstore

import (
	"testing"

	"github.com/dupes-tui/dupes/internal/exectest"
	"github.com/dupes-tui/dupes/model"
)

// TestExecutorContract runs the executor contract (internal/exectest) that the server's
// executor passes too.
func TestExecutorContract(t *testing.T) {
	exectest.Run(t, contractStore{New()}, "contract")
}

// contractStore gives the contract its hooks into the demo store.
type contractStore struct{ *Store }

func (s contractStore) Seed(t *testing.T, ns model.Namespace, docs []model.Doc) {
	s.Insert(ns, docs...)
}

func (s contractStore) Groups(t *testing.T, ns model.Namespace, key model.Key) []model.Group {
	return scanAll(t, s.Store, ns, key)
}

func (s contractStore) Execute(t *testing.T, plan model.Plan) (model.Report, error) {
	return s.Store.Execute(ctx, plan, t.TempDir(), model.Pace{}, nil)
}

func (s contractStore) Set(t *testing.T, ns model.Namespace, id model.Value, field string, v model.Value) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.colls[ns]
	d, ok := c.find(id)
	if !ok {
		t.Fatalf("no document %s", id)
	}
	fields := make([]model.Field, 0, len(d.Fields)+1)
	set := false
	for _, f := range d.Fields {
		if f.Path == field {
			f.Value, set = v, true
		}
		fields = append(fields, f)
	}
	if !set {
		fields = append(fields, model.Field{Path: field, Value: v})
	}
	d.Fields = fields
	c.replace(d)
}

func (s contractStore) Remove(t *testing.T, ns model.Namespace, id model.Value) {
	s.Store.Remove(ns, id)
}

func (s contractStore) IDs(t *testing.T, ns model.Namespace) []model.Value {
	var out []model.Value
	for _, d := range s.Docs(ns) {
		out = append(out, d.ID)
	}
	return out
}

func (s contractStore) BackedUp(t *testing.T, rep model.Report) []model.Value {
	var out []model.Value
	for _, d := range s.Backup(rep.BackupPath) {
		out = append(out, d.ID)
	}
	return out
}
