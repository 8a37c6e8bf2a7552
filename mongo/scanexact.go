package mongo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Where an engine's $group compares keys unlike MongoDB's unique index (Engine.GroupSplits,
// Engine.GroupMerges), the scan does not trust it. On an engine that splits equal values, the
// pipeline keeps the groups whose key is a suspect value even when alone (one the engine may
// have split from its equals), and the cursor holds them until the scan ends, merged by the
// key generator's equality (model.KeySpec.KeyID): their parts may come anywhere in the
// stream. On an engine that may merge any values, the pipeline also sends each member's own
// key (ks), and the cursor splits every group by it. DocumentDB only splits, but for one
// confusion (undefined taken for null inside documents and arrays), which the cursor settles
// by reading those few groups' members back. The answer is exact; the cost is the single
// groups of suspect values, held in memory until the scan ends, and on mongo-java-server the
// members' keys.

// isUndefined is true where x is BSON undefined (engines with $type only).
func isUndefined(x any) bson.D { return e1("$eq", bson.A{e1("$type", x), "undefined"}) }

// suspect is true where the engine's $group may split x from a value MongoDB finds equal.
func suspect(x any, e Engine) bson.D {
	if e.TypeOp {
		return suspectTyped(x)
	}
	return suspectUntyped(x)
}

// suspectTyped is DocumentDB's case, after $unwind: a decimal, a double that is not an integer
// inside the int64 range (NaN, fractions, ±Inf, huge values: a decimal may equal it in another
// form), the int64 -2^63, or a document or array (which may hold any of those, or undefined
// beside null).
func suspectTyped(x any) bson.D {
	typ := e1("$type", x)
	isDouble := e1("$eq", bson.A{typ, "double"})
	// $cond is eager there: $trunc must meet only a double inside the int64 range (beyond,
	// DocumentDB fails with "Conversion would overflow"); the rest are suspect anyway.
	inRange := e1("$and", bson.A{isDouble, e1("$lt", bson.A{x, float64(1 << 63)}), e1("$gt", bson.A{x, -float64(1 << 63)})})
	num := cond(inRange, x, 0)
	return e1("$or", bson.A{
		e1("$in", bson.A{typ, bson.A{"decimal", "object", "array"}}),
		e1("$and", bson.A{isDouble, e1("$or", bson.A{
			e1("$ne", bson.A{num, e1("$trunc", num)}),
			e1("$eq", bson.A{x, math.NaN()}),
			e1("$gte", bson.A{x, float64(1 << 63)}),
			e1("$lte", bson.A{x, -float64(1 << 63)}),
		})}),
		e1("$eq", bson.A{x, int64(math.MinInt64)}),
	})
}

// suspectUntyped is mongo-java-server's case, without $type: it compares a decimal as a
// double but an int64 exactly, so equal integers beyond 2^53 may part; and it never finds
// two [] equal, inside documents and arrays. Types are told by BSON order: numbers sort
// between null and "", documents and arrays between {} and the least binary.
func suspectUntyped(x any) bson.D {
	v := e1("$ifNull", bson.A{x, nil})
	isNum := e1("$and", bson.A{e1("$gt", bson.A{v, nil}), e1("$lt", bson.A{v, ""})})
	big := e1("$or", bson.A{e1("$gte", bson.A{v, float64(1 << 53)}), e1("$lte", bson.A{v, -float64(1 << 53)})})
	nested := e1("$and", bson.A{e1("$gte", bson.A{v, e1("$literal", bson.D{})}), e1("$lt", bson.A{v, bson.Binary{Data: []byte{}}})})
	return e1("$or", bson.A{e1("$and", bson.A{isNum, big}), nested})
}

// exactAccumulators is the $group field that sends each member's key where the engine may
// merge any values, as the group _id writes it: {v: id}. An engine that only splits sends
// none (a second $push costs DocumentDB a fifth of the scan): a member of a group is keyed
// as the group, but for the one confusion it makes, undefined with null inside documents and
// arrays, which the cursor settles by reading those members back (splitNested).
func exactAccumulators(e Engine, id any) bson.D {
	if !e.GroupMerges {
		return nil
	}
	// In a document of its own: mongo-java-server's $push drops a null.
	return bson.D{{Key: "ks", Value: e1("$push", bson.D{{Key: "v", Value: id}})}}
}

// keepSuspect is the $match condition that keeps a group of one whose key holds a suspect
// value, on an engine that splits equal values; parts are the group key's values.
func keepSuspect(e Engine, parts []any) bson.D {
	var ors bson.A
	for _, x := range parts {
		ors = append(ors, suspect(x, e))
	}
	return e1("$expr", e1("$or", ors))
}

// suspectKey tells, in Go, whether a group's key holds a value some engine's $group may
// split from its equals: every value suspect (either version above) finds, and more (a
// suspect group only waits for the end of the scan, which is always right).
func suspectKey(key rawKey) bool {
	for _, rv := range key {
		switch rv.Type {
		case bson.TypeDecimal128, bson.TypeEmbeddedDocument, bson.TypeArray:
			return true
		case bson.TypeDouble:
			f := rv.Double()
			if math.IsNaN(f) || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
				return true
			}
		case bson.TypeInt64:
			if n := rv.Int64(); n >= 1<<53 || n <= -1<<53 {
				return true
			}
		}
	}
	return false
}

// regroup splits and merges the groups of an engine whose $group compares unlike the index.
type regroup struct {
	// merges: the engine may merge any values, so every group is split by its members' keys,
	// which come as the group _id writes them (exactAccumulators).
	merges bool
	spec   model.KeySpec
	held   []*pendingGroup // groups that may have parts elsewhere in the stream
}

type pendingGroup struct {
	key      rawKey
	ids      []bson.RawValue
	multikey bool
}

// newRegroup is nil where the engine groups as MongoDB's index does, or for a whole-document
// key (grouped without $unwind, by the document itself).
func newRegroup(key model.Key, e Engine) *regroup {
	if key.WholeDocument || !e.GroupSplits && !e.GroupMerges {
		return nil
	}
	return &regroup{merges: e.GroupMerges, spec: key.Spec()}
}

// add splits one group the server sent by its members' own keys (read by memberKey). A group
// with a suspect key waits for the end of the scan (flush), to be merged with the parts of
// other groups under the same key; the others are answered now.
func (r *regroup) add(doc bson.Raw, key rawKey, vals []bson.RawValue, multikey bool,
	memberKey func(bson.RawValue) (rawKey, error)) ([]model.Group, error) {
	wait := suspectKey(key)
	if !r.merges {
		if wait {
			r.held = append(r.held, detach(&pendingGroup{key: key, ids: vals, multikey: multikey}))
			return nil, nil
		}
		return answer(&pendingGroup{key: key, ids: vals, multikey: multikey}), nil
	}
	ks, _ := doc.Lookup("ks").ArrayOK()
	keys, err := ks.Values()
	if err != nil {
		return nil, err
	}
	if len(keys) != len(vals) {
		return nil, fmt.Errorf("scan: a group lists %d ids and %d keys: %s", len(vals), len(keys), doc)
	}
	parts := map[string]*pendingGroup{}
	var order []*pendingGroup
	for i, v := range vals {
		k, err := memberKey(keys[i])
		if err != nil {
			return nil, err
		}
		if k == nil {
			k = key
		}
		kid := r.spec.KeyID(k.values())
		p := parts[kid]
		if p == nil {
			p = &pendingGroup{key: k, multikey: multikey}
			parts[kid] = p
			order = append(order, p)
		}
		p.ids = append(p.ids, v)
	}
	var out []model.Group
	for _, p := range order {
		if wait {
			r.held = append(r.held, detach(p))
		} else {
			out = append(out, answer(p)...)
		}
	}
	return out, nil
}

// detach copies a held group's values out of the cursor's batch, into one buffer of its own,
// so the batch (up to 16 MB) is not kept alive by a few values until the scan ends.
func detach(p *pendingGroup) *pendingGroup {
	n := 0
	for _, v := range p.key {
		n += len(v.Value)
	}
	for _, v := range p.ids {
		n += len(v.Value)
	}
	buf := make([]byte, 0, n)
	cp := func(v bson.RawValue) bson.RawValue {
		lo := len(buf)
		buf = append(buf, v.Value...)
		return bson.RawValue{Type: v.Type, Value: buf[lo:len(buf):len(buf)]}
	}
	q := &pendingGroup{key: make(rawKey, len(p.key)), ids: make([]bson.RawValue, len(p.ids)), multikey: p.multikey}
	for i, v := range p.key {
		q.key[i] = cp(v)
	}
	for i, v := range p.ids {
		q.ids[i] = cp(v)
	}
	return q
}

// answer is a part as a group, or nothing when it holds one document.
func answer(p *pendingGroup) []model.Group {
	g := model.Group{Key: p.key.values(), IDs: sortIDs(p.ids), Multikey: p.multikey}
	if len(g.IDs) < 2 {
		return nil
	}
	return []model.Group{g}
}

// flush answers the groups that waited, in key order, merged by the key generator's equality,
// and forgets them. On an engine that sends no members' keys, a group whose key holds null or
// undefined inside a document or an array is first split by its members' keys, read back
// (split). Equal keys are found by sorting on MongoDB's order (model.CompareRaw), which
// finds equal at least the keys KeyID does, then confirmed by KeyID: no key is parsed twice.
func (r *regroup) flush(split func([]*pendingGroup) ([]*pendingGroup, error)) ([]model.Group, error) {
	held := r.held
	r.held = nil
	if !r.merges {
		var nested, rest []*pendingGroup
		for _, p := range held {
			if nestedNull(p.key) {
				nested = append(nested, p)
			} else {
				rest = append(rest, p)
			}
		}
		if len(nested) > 0 {
			parts, err := split(nested)
			if err != nil {
				return nil, err
			}
			held = append(rest, parts...)
		}
	}
	sort.SliceStable(held, func(i, j int) bool { return compareKeys(held[i].key, held[j].key) < 0 })
	var out []model.Group
	for lo := 0; lo < len(held); {
		hi := lo + 1
		for hi < len(held) && compareKeys(held[lo].key, held[hi].key) == 0 {
			hi++
		}
		if hi-lo == 1 {
			out = append(out, answer(held[lo])...)
			lo = hi
			continue
		}
		merged := map[string]*pendingGroup{}
		var order []*pendingGroup
		for _, p := range held[lo:hi] {
			kid := r.spec.KeyID(p.key.values())
			if q := merged[kid]; q != nil {
				q.ids = append(q.ids, p.ids...)
				q.multikey = q.multikey || p.multikey
				continue
			}
			merged[kid] = p
			order = append(order, p)
		}
		for _, p := range order {
			out = append(out, answer(p)...)
		}
		lo = hi
	}
	return out, nil
}

// nestedNull tells whether a key holds null or undefined inside a document or an array,
// where DocumentDB's $group confuses the two.
func nestedNull(key rawKey) bool {
	for _, v := range key {
		if holdsNull(v, 0) {
			return true
		}
	}
	return false
}

// holdsNull reports whether a document or array holds null or undefined at any depth.
func holdsNull(v bson.RawValue, depth int) bool {
	if v.Type != bson.TypeEmbeddedDocument && v.Type != bson.TypeArray || depth > 200 {
		return false
	}
	elems, err := bson.Raw(v.Value).Elements()
	if err != nil {
		return true // unreadable: read the members back, which reads them properly
	}
	for _, e := range elems {
		ev := e.Value()
		if ev.Type == bson.TypeNull || ev.Type == bson.TypeUndefined || holdsNull(ev, depth+1) {
			return true
		}
	}
	return false
}

// undefinedText is how undefined reads in canonical Extended JSON; inside a JSON string its
// quotes would be escaped, so the text marks the value itself.
const undefinedText = `{"$undefined":true}`

// nullish is a key's identity with undefined taken for null: DocumentDB's $group equality
// inside documents and arrays, to find which of a member's keys put it in a group.
func (r *regroup) nullish(key []model.Value) string {
	k := make([]model.Value, len(key))
	for i, v := range key {
		k[i] = v
		if s := string(v); s != undefinedText {
			k[i] = model.Value(strings.ReplaceAll(s, undefinedText, "null"))
		}
	}
	return r.spec.KeyID(k)
}

func compareKeys(a, b rawKey) int {
	for i := range min(len(a), len(b)) {
		if c := model.CompareRaw(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// splitNested reads back the members of the groups whose key holds null or undefined inside
// a document or an array, and parts them by their own index keys (model.IndexKeys): a member
// goes under each of its keys that DocumentDB's $group could have taken for its group's. The
// members are read in batches: DocumentDB reads the whole collection for an $in of _ids.
func (cu *Cursor) splitNested(ctx context.Context, groups []*pendingGroup) ([]*pendingGroup, error) {
	const batch = 10_000
	spec := cu.key.Spec()
	keysOf := map[string][]model.IndexKey{} // rawIdentity of an _id -> its document's keys
	var ids bson.A
	read := func() error {
		if len(ids) == 0 {
			return nil
		}
		cur, err := cu.c.readFind(ctx, cu.ns, "the scan of "+cu.ns.String()+" (reading back members of groups holding null)",
			bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, nil)
		if err != nil {
			return cu.c.wrap("scan "+cu.ns.String()+": read back the members of groups holding null", err)
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			js, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				return err
			}
			keys, err := model.IndexKeys(js, spec)
			if err != nil && !errors.Is(err, model.ErrUnindexable) {
				return err
			}
			keysOf[rawIdentity(cur.Current.Lookup("_id"))] = keys
		}
		ids = ids[:0]
		if err := cur.Err(); err != nil {
			return cu.c.wrap("scan "+cu.ns.String()+": read back the members of groups holding null", err)
		}
		return nil
	}
	for _, g := range groups {
		for _, id := range g.ids {
			if ids = append(ids, id); len(ids) == batch {
				if err := read(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := read(); err != nil {
		return nil, err
	}
	var out []*pendingGroup
	for _, g := range groups {
		want := cu.regroup.nullish(g.key.values())
		parts := map[string]*pendingGroup{}
		for _, id := range g.ids {
			// A member deleted since it was grouped is in no part.
			for _, k := range keysOf[rawIdentity(id)] {
				if cu.regroup.nullish(k) != want {
					continue
				}
				kid := spec.KeyID(k)
				q := parts[kid]
				if q == nil {
					raw, err := rawOf(k)
					if err != nil {
						return nil, err
					}
					q = &pendingGroup{key: raw, multikey: g.multikey}
					parts[kid] = q
					out = append(out, q)
				}
				q.ids = append(q.ids, id)
			}
		}
	}
	return out, nil
}

// rawOf reads a key back into BSON.
func rawOf(k model.IndexKey) (rawKey, error) {
	out := make(rawKey, len(k))
	for i, v := range k {
		rv, err := rawValue(v)
		if err != nil {
			return nil, err
		}
		out[i] = rv
	}
	return out, nil
}
