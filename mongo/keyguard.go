package mongo

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// keyGuard checks that a document still has a group's key values, twice over: in Go on the
// re-read document (to choose what to back up and to say why something is skipped), and on
// the server as part of the delete's filter (so a document that changes after the re-read is
// not deleted). The server filter can only narrow what the Go check allowed: the delete's
// filter also lists the exact _ids, so a disagreement skips a document, never deletes one.
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

// filter is the server-side guard of one group: {_id: {$in: ids}, f: {$eq: v}…}.
func (g keyGuard) filter(ids []model.Value, vals []model.Value) (bson.D, error) {
	in, err := rawValues(ids)
	if err != nil {
		return nil, err
	}
	// A flat document, _id first: MongoDB plans a top-level _id $in with the _id index.
	// (mongo-java-server uses its _id index only for a query on _id alone, so there every
	// guarded delete scans the collection: see BENCHMARKS.md, target 1.)
	f := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}
	var and bson.A
	for i, field := range g.key.Fields {
		cond, err := g.fieldCond(vals[i])
		if err != nil {
			return nil, fmt.Errorf("key value %s: %w", vals[i], err)
		}
		if field == "_id" { // a key on _id itself cannot share the top level with the $in
			and = append(and, bson.D{{Key: field, Value: cond}})
			continue
		}
		f = append(f, bson.E{Key: field, Value: cond})
	}
	if g.key.Sparse {
		var or bson.A
		for _, field := range g.key.Fields {
			or = append(or, bson.D{{Key: field, Value: bson.D{{Key: "$exists", Value: true}}}})
		}
		and = append(and, bson.D{{Key: "$or", Value: or}})
	}
	if len(g.extra) > 0 {
		and = append(and, g.extra)
	}
	if len(and) > 0 {
		f = append(f, bson.E{Key: "$and", Value: and})
	}
	return f, nil
}

// fieldCond is the condition one key field must meet: equality ($eq, which like a unique
// index treats missing as null and matches any element of an array), or for loose keys an
// anchored regular expression on string values.
func (g keyGuard) fieldCond(v model.Value) (bson.D, error) {
	if s, ok := stringOf(v); ok && (g.fold || g.trim) {
		pat := regexp.QuoteMeta(s)
		if g.trim {
			pat = `\s*` + pat + `\s*`
		}
		// \z, not $: $ also matches before a final newline.
		opts := ""
		if g.fold {
			opts = "i"
		}
		return bson.D{{Key: "$regex", Value: `^` + pat + `\z`}, {Key: "$options", Value: opts}}, nil
	}
	if v == Undefined {
		// The scan's key of an empty array (an index keys [] as undefined).
		return bson.D{{Key: "$size", Value: 0}}, nil
	}
	rv, err := rawValue(v)
	if err != nil {
		return nil, err
	}
	return bson.D{{Key: "$eq", Value: rv}}, nil
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
		if arr, ok := rv.ArrayOK(); ok && want == Undefined {
			if vals, _ := arr.Values(); len(vals) == 0 {
				return true
			}
		}
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
