package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dupes-tui/dupes/model"
)

// Merging into the keeper, in memory: the same model.MergeOrder and model.MergeDocs the
// adapter runs, so --demo previews and runs exactly what a server would get. The keeper's
// before-image is kept (KeeperBackup) as the adapter backs it up with the deleted members.

// MergePreview is what a merge would make of a group's keeper now. Members no longer in the
// collection are left out; a keeper that is gone is an error (as mongo.Client.MergePreview).
func (s *Store) MergePreview(ctx context.Context, ns model.Namespace, rule model.KeepRule, opt model.MergeOptions,
	keep model.Value, members []model.Value) (model.Merged, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return model.Merged{}, err
	}
	keeper, ok := c.find(keep)
	if !ok {
		return model.Merged{}, fmt.Errorf("the keeper %s is no longer in %s", keep.Display(), ns)
	}
	var docs []model.Doc
	for _, id := range members {
		if d, ok := c.find(id); ok {
			docs = append(docs, d)
		}
	}
	return mergeDocs(rule, opt, keeper, docs)
}

// KeeperBackup returns the before-images of the keepers a merging run updated, kept under the
// run's backup path: what a restore puts back.
func (s *Store) KeeperBackup(path string) []model.Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Doc(nil), s.keepers[path]...)
}

func mergeDocs(rule model.KeepRule, opt model.MergeOptions, keeper model.Doc, members []model.Doc) (model.Merged, error) {
	var ordered [][]byte
	for _, i := range model.MergeOrder(rule, members) {
		ordered = append(ordered, model.DocJSON(members[i]))
	}
	return model.MergeDocs(model.DocJSON(keeper), ordered, opt)
}

// merged is the keeper with its gains, flattened as the store keeps documents: a gained value
// replaces the field it fills (null or an array: leaves) in place; a new field goes last.
func merged(keeper model.Doc, m model.Merged) (model.Doc, error) {
	out := model.Doc{ID: keeper.ID, Fields: append([]model.Field(nil), keeper.Fields...)}
	for _, g := range m.Gains {
		path := model.PathName(g.Field) // a top-level name
		if g.Was != model.Missing {
			for i, f := range out.Fields {
				if f.Path == path {
					out.Fields[i].Value = g.Value
				}
			}
			continue
		}
		fs, err := flatten(path, g.Value)
		if err != nil {
			return model.Doc{}, fmt.Errorf("merged field %s: %w", g.Field, err)
		}
		out.Fields = append(out.Fields, fs...)
	}
	return out, nil
}

// flatten turns a value at path into the store's leaves: a sub-document's fields become
// dotted paths; arrays, extended-JSON wrappers ({"$date": …}) and empty documents stay whole.
func flatten(path string, v model.Value) ([]model.Field, error) {
	raw := bytes.TrimSpace([]byte(v))
	if len(raw) == 0 || raw[0] != '{' || string(raw) == "{}" {
		return []model.Field{{Path: path, Value: v}}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []model.Field
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := t.(string)
		if strings.HasPrefix(name, "$") {
			return []model.Field{{Path: path, Value: v}}, nil // an extended-JSON value
		}
		var sub json.RawMessage
		if err := dec.Decode(&sub); err != nil {
			return nil, err
		}
		fs, err := flatten(path+"."+model.PathName(name), model.Value(sub))
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
