package mongo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ScanBatchSize is the cursor batch size of a scan: groups per round trip.
const ScanBatchSize = 1000

// Cursor streams the groups of a scan. It holds a server-side cursor: Close it (cancelling the
// context of a pending Next also kills the cursor on the server).
type Cursor struct {
	c           *Client
	ns          model.Namespace
	key         model.Key
	cur         *readCursor
	plain       bool // the group _id is the value itself, not a tuple
	plainInDoc  bool // a plain group _id may sit in {k: value} (see plainInDoc)
	oversized   []Oversized
	unindexable *Unindexable
	refused     bool
	regroup     *regroup      // nil where the engine's $group compares as MongoDB's index
	ended       bool          // the server's cursor is exhausted
	held        []model.Group // groups answered after the cursor ended (regroup), not yet returned
}

// Oversized is a group whose _ids were cut at the scan's limit (MaxGroupIDs): its Group lists
// Listed of its ids (which ones the server chose), Count is how many times documents entered
// it (a document holding the key value twice in an array counts twice).
type Oversized struct {
	Key    []model.Value
	Count  int
	Listed int
}

// ScanOptions tune a scan.
type ScanOptions struct {
	// MaxGroupIDs caps the ids listed per group; MaxGroupIDs when 0.
	MaxGroupIDs int
	// MarkMultikey sets model.Group.Multikey, for a caller that plans groups apart (a
	// streamed resolve). Off by default: it costs the scan a field per document.
	MarkMultikey bool
}

// Scan starts the duplicate scan of a collection under a key. It only reads.
func (c *Client) Scan(ctx context.Context, ns model.Namespace, key model.Key) (*Cursor, error) {
	return c.ScanWith(ctx, ns, key, ScanOptions{})
}

// ScanWith is Scan with options.
func (c *Client) ScanWith(ctx context.Context, ns model.Namespace, key model.Key, opt ScanOptions) (*Cursor, error) {
	if err := ctx.Err(); err != nil {
		return nil, c.wrap("scan "+ns.String(), err)
	}
	e, err := c.Engine(ctx)
	if err != nil {
		return nil, err
	}
	if err := refuse(key, e); err != nil {
		return nil, fmt.Errorf("scan %s: %w", ns, err)
	}
	if err := c.RefuseCodeWithScope(ctx, ns, key); err != nil {
		return nil, fmt.Errorf("scan %s: %w", ns, err)
	}
	p, err := pipeline(key, opt.MaxGroupIDs, e, opt.MarkMultikey)
	if err != nil {
		return nil, err
	}
	if _, err := c.Collection(ctx, ns); err != nil {
		return nil, err
	}
	cur, err := c.readAggregate(ctx, ns, "the scan of "+ns.String(), p, aggregateOptions(key, ScanBatchSize))
	if err != nil {
		return nil, c.scanError(ns, err)
	}
	return &Cursor{c: c, ns: ns, key: key, cur: cur, plain: plainKey(key), plainInDoc: plainInDoc(key, e),
		regroup: newRegroup(key, e)}, nil
}

// refuse says why a key cannot be scanned exactly on this engine, before anything runs.
func refuse(key model.Key, e Engine) error {
	if key.Collation != nil && !e.Collation {
		return fmt.Errorf("the key compares strings under collation %s (index %q), and %s runs no aggregation "+
			"with a collation: a scan without it would group differently from the index. "+
			"Scan without the index's collation (--key, with --ignore-case for case-insensitive matching)",
			key.Collation.Locale, key.Index, e)
	}
	if key.Trim && !e.TrimOp {
		return fmt.Errorf("--trim needs the $trim operator, which %s lacks", e)
	}
	return refuseWhole(key, e)
}

// NextBatch returns up to max groups, fewer when the server's current batch ends, so a caller
// can show groups as they arrive. It returns io.EOF after the last group.
func (cu *Cursor) NextBatch(ctx context.Context, max int) ([]model.Group, error) {
	// The driver serves buffered results without looking at ctx; a cancelled scan must stop.
	if err := ctx.Err(); err != nil {
		return nil, cu.c.wrap("scan "+cu.ns.String(), err)
	}
	var out []model.Group
	for len(out) < max {
		if len(cu.held) > 0 {
			n := min(max-len(out), len(cu.held))
			out, cu.held = append(out, cu.held[:n]...), cu.held[n:]
			continue
		}
		if cu.ended {
			break
		}
		// Only block for more data when nothing is in hand yet.
		if len(out) > 0 && cu.cur.RemainingBatchLength() == 0 {
			break
		}
		if !cu.cur.Next(ctx) {
			if err := cu.cur.Err(); err != nil {
				return out, cu.c.scanError(cu.ns, err)
			}
			cu.ended = true
			if cu.regroup != nil {
				// The groups that may have had parts anywhere in the stream come last.
				held, err := cu.regroup.flush(func(ps []*pendingGroup) ([]*pendingGroup, error) { return cu.splitNested(ctx, ps) })
				if err != nil {
					return out, err
				}
				cu.held = held
			}
			continue
		}
		gs, err := cu.decode(cu.cur.Current)
		if err != nil {
			return out, err
		}
		out = append(out, gs...)
		if u := cu.unindexable; u != nil && !cu.refused {
			// The pipeline lists this group first: the scan stops before any other.
			cu.refused = true
			return out, &UnindexableError{Key: cu.key, Unindexable: *u}
		}
	}
	if len(out) == 0 && cu.ended {
		return nil, io.EOF
	}
	return out, nil
}

// All reads every remaining group.
func (cu *Cursor) All(ctx context.Context) ([]model.Group, error) {
	var all []model.Group
	for {
		gs, err := cu.NextBatch(ctx, ScanBatchSize)
		all = append(all, gs...)
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return all, err
		}
	}
}

// Oversized lists the groups read so far whose ids were cut at the limit. Their Group values
// hold only the first ids; a plan must not treat them as whole.
func (cu *Cursor) Oversized() []Oversized { return cu.oversized }

// Unindexable is the documents MongoDB cannot index under the key, once the scan has met
// them (NextBatch then returns an *UnindexableError), or nil.
func (cu *Cursor) Unindexable() *Unindexable { return cu.unindexable }

// Close releases the server-side cursor.
func (cu *Cursor) Close(ctx context.Context) error {
	return cu.cur.Close(ctx)
}

// decode reads one group the server sent: none (a document alone in it, or the unindexable
// ones), one, or on an engine whose $group compares unlike MongoDB's index, the parts its
// members' own keys make of it (regroup).
func (cu *Cursor) decode(doc bson.Raw) ([]model.Group, error) {
	id := doc.Lookup("_id")
	ids, ok := doc.Lookup("ids").ArrayOK()
	if !ok {
		return nil, fmt.Errorf("scan %s: group without ids", cu.ns)
	}
	vals, err := ids.Values()
	if err != nil {
		return nil, err
	}
	n, _ := doc.Lookup("n").AsInt64OK()
	multikey, _ := doc.Lookup("m").BooleanOK()
	if d, ok := id.DocumentOK(); ok && !cu.plain {
		if x, ok := d.Lookup("x").BooleanOK(); ok && x {
			ids := sortIDs(vals)
			cu.unindexable = &Unindexable{Count: max(len(ids), int(n)), IDs: ids}
			return nil, nil
		}
	}
	raw, err := cu.rawKeyOf(id)
	if err != nil {
		return nil, err
	}
	if int(n) > len(vals) {
		cu.oversized = append(cu.oversized, Oversized{Key: raw.values(), Count: int(n), Listed: len(sortIDs(vals))})
	}
	if cu.regroup != nil {
		return cu.regroup.add(doc, raw, vals, multikey, cu.memberKey)
	}
	g := model.Group{Key: raw.values(), IDs: sortIDs(vals), Multikey: multikey}
	if len(g.IDs) < 2 {
		// One document that entered the group twice (a value repeated in its own array).
		return nil, nil
	}
	return []model.Group{g}, nil
}

// memberKey reads a member's own key as exactAccumulators sends it, or nil where the group's
// key is the member's.
func (cu *Cursor) memberKey(m bson.RawValue) (rawKey, error) {
	d, ok := m.DocumentOK()
	if !ok {
		return nil, fmt.Errorf("scan %s: unexpected member key %s", cu.ns, m)
	}
	v, err := d.LookupErr("v")
	if err != nil || v.Type == bson.TypeNull {
		return nil, nil
	}
	return cu.rawKeyOf(v)
}

// rawKey is a key's values as BSON: what keyOf reads, before it becomes model.Values.
type rawKey []bson.RawValue

// values is the key as model.Values (canonical Extended JSON, written by the driver).
func (k rawKey) values() []model.Value {
	out := make([]model.Value, len(k))
	for i, v := range k {
		out[i] = value(v)
	}
	return out
}

var (
	rawNull      = bson.RawValue{Type: bson.TypeNull}
	rawUndefined = bson.RawValue{Type: bson.TypeUndefined}
)

// rawKeyOf reads a group _id (or a member's key, written the same way) into the key's values.
func (cu *Cursor) rawKeyOf(id bson.RawValue) (rawKey, error) {
	if cu.plain {
		if d, ok := id.DocumentOK(); ok && cu.plainInDoc {
			id = d.Lookup("k")
		}
		return rawKey{plainRaw(id)}, nil
	}
	doc, ok := id.DocumentOK()
	if !ok {
		return nil, fmt.Errorf("scan %s: unexpected group key %s", cu.ns, id)
	}
	key := make(rawKey, len(cu.key.Fields))
	for i := range key {
		is := strconv.Itoa(i)
		if u, ok := doc.Lookup("u" + is).BooleanOK(); ok && u {
			key[i] = rawUndefined
			continue
		}
		v, err := doc.LookupErr("k" + is)
		if err != nil || v.Type == bson.TypeNull {
			key[i] = rawNull
			continue
		}
		key[i] = v
	}
	return key, nil
}

// Undefined is the key value of an empty array: MongoDB indexes [] as undefined.
const Undefined model.Value = `{"$undefined":true}`

// plainRaw reads the group _id of a plain key: MaxKey marks an empty array (undefined), an
// array wraps the value itself (an array, or a real MaxKey).
func plainRaw(id bson.RawValue) bson.RawValue {
	switch id.Type {
	case bson.TypeMaxKey:
		return rawUndefined
	case bson.TypeArray:
		if vs, err := id.Array().Values(); err == nil && len(vs) == 1 {
			return vs[0]
		}
	}
	return id
}

// sortIDs puts ids in ascending _id order, MongoDB's BSON order (servers, sharded clusters
// above all, return them in any order), and drops repeats: the same document met twice (a
// value repeated in its own array). Two different _ids are never merged: a repeat is the same
// BSON value, type and bytes (CompareRaw finds NumberLong(1) and 1.0 equal, which a sharded
// collection may hold both of as _ids).
func sortIDs(vals []bson.RawValue) []model.Value {
	sort.SliceStable(vals, func(i, j int) bool { return model.CompareRaw(vals[i], vals[j]) < 0 })
	out := make([]model.Value, 0, len(vals))
	var seen map[string]bool
	for i, v := range vals {
		if i > 0 && model.CompareRaw(vals[i-1], v) == 0 {
			// Equal in order: a repeat, unless the bytes differ.
			if seen == nil {
				seen = map[string]bool{rawIdentity(vals[i-1]): true}
			}
			id := rawIdentity(v)
			if seen[id] {
				continue
			}
			seen[id] = true
		} else {
			seen = nil
		}
		out = append(out, value(v))
	}
	return out
}

// rawIdentity is a BSON value's type and bytes: the same value, exactly.
func rawIdentity(v bson.RawValue) string { return string(rune(v.Type)) + string(v.Value) }

// Unindexable counts the documents MongoDB refuses to put in an index on the key (parallel
// arrays, an ambiguous position): no unique index can be built while they exist, and they are
// in no group.
type Unindexable struct {
	Count int
	IDs   []model.Value // at most MaxGroupIDs of them, in _id order
}

// UnindexableError refuses a scan that met documents MongoDB cannot index under the key.
type UnindexableError struct {
	Key model.Key
	Unindexable
}

func (e *UnindexableError) Error() string {
	const show = 5
	var ids []string
	for i, id := range e.IDs {
		if i == show {
			ids = append(ids, "…")
			break
		}
		ids = append(ids, id.Display())
	}
	return fmt.Sprintf("%d document(s) cannot be indexed under %s, so no unique index on it can be built: "+
		"MongoDB refuses to index them (cannot index parallel arrays: two key fields hold different arrays; "+
		"or a numeric path part that is both a position and a field name). _id: %s. "+
		"Fix them, or leave them out with --filter", e.Count, e.Key, strings.Join(ids, ", "))
}

func (e *UnindexableError) Is(target error) bool { return target == model.ErrUnindexable }
