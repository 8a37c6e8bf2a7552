package mongo

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// keyGuard checks that a re-read document still has a group's key values, to choose what to
// back up and delete and to say why something is skipped. The delete itself is guarded by
// the whole document (guardFilter), which keeps a document changed after this check.
type keyGuard struct {
	key model.Key
	// loose compares strings after folding case and/or trimming, as the scan did.
	fold, trim bool
	// extra is the scan's own filter and the index's partial filter, re-applied on delete.
	extra bson.D
}

func newKeyGuard(key model.Key) (keyGuard, error) {
	g := keyGuard{key: key, fold: key.IgnoreCase || key.Collation.CaseInsensitive(), trim: key.Trim}
	m, err := filterMatch(key)
	if err != nil {
		return g, err
	}
	g.extra = m
	return g, nil
}

// filterMatch is the user's filter and the partial filter, without the sparse clause (which
// the guard writes itself).
func filterMatch(key model.Key) (bson.D, error) {
	k := key
	k.Sparse = false
	return scanMatch(k)
}

// matches reports whether a re-read document still has the group's key values.
func (g keyGuard) matches(doc bson.Raw, vals []model.Value) bool {
	present := false
	for i, f := range g.key.Fields {
		got := lookupPath(doc, f)
		if len(got) > 0 {
			present = true
		}
		if !g.fieldMatches(got, vals[i]) {
			return false
		}
	}
	// Under a sparse index a document lacking every key field is not indexed: no collision.
	return present || !g.key.Sparse
}

func (g keyGuard) fieldMatches(got []bson.RawValue, want model.Value) bool {
	if len(got) == 0 {
		return model.Compare(model.Null, want) == 0
	}
	for _, rv := range got {
		if g.equal(rv, want) {
			return true
		}
		// Like a multikey index, an array collides through any of its elements.
		if arr, ok := rv.ArrayOK(); ok {
			vals, _ := arr.Values()
			for _, e := range vals {
				if g.equal(e, want) {
					return true
				}
			}
		}
	}
	return false
}

func (g keyGuard) equal(rv bson.RawValue, want model.Value) bool {
	if s, ok := rv.StringValueOK(); ok && (g.fold || g.trim) {
		w, ok := stringOf(want)
		if !ok {
			return false
		}
		return g.norm(s) == g.norm(w)
	}
	return model.Compare(value(rv), want) == 0
}

func (g keyGuard) norm(s string) string {
	if g.trim {
		s = strings.TrimSpace(s)
	}
	if g.fold {
		s = strings.ToLower(s)
	}
	return s
}

// stringOf decodes a value that is a JSON string.
func stringOf(v model.Value) (string, bool) {
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal([]byte(v), &s) != nil {
		return "", false
	}
	return s, true
}

// lookupPath collects the values a dotted path reaches, walking into arrays of documents as
// MongoDB does ("items.sku" reaches every item's sku; "items.0" the first item). Nothing
// found means the field is missing.
func lookupPath(doc bson.Raw, path string) []bson.RawValue {
	cur := []bson.RawValue{{Type: bson.TypeEmbeddedDocument, Value: doc}}
	for _, part := range strings.Split(path, ".") {
		var next []bson.RawValue
		for _, v := range cur {
			next = append(next, step(v, part)...)
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

func step(v bson.RawValue, part string) []bson.RawValue {
	if d, ok := v.DocumentOK(); ok {
		if e, err := d.LookupErr(part); err == nil {
			return []bson.RawValue{e}
		}
		return nil
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	if n, err := strconv.Atoi(part); err == nil && n >= 0 {
		if e, err := arr.IndexErr(uint(n)); err == nil {
			return []bson.RawValue{e}
		}
	}
	elems, _ := arr.Values()
	var out []bson.RawValue
	for _, e := range elems {
		if d, ok := e.DocumentOK(); ok {
			if x, err := d.LookupErr(part); err == nil {
				out = append(out, x)
			}
		}
	}
	return out
}
