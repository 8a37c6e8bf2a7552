package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// DuplicateCount counts what a scan of key finds in ns: its duplicate groups and their
// surplus documents, in one pass that returns no ids in the common case. It runs the scan's
// pipeline (pipeline, with the multikey mark) up to and including its $match on groups, with
// the $group listing _ids only of members that may enter a group twice:
//
//	… the scan's stages up to its $group, then
//	{$group: {_id: KEY, n: {$sum: 1}, q: {$sum: {$cond: [W, 1, 0]}}, ids: {$push: {$cond: [W, "$_id", "$$REMOVE"]}}}}
//	{$match: the scan's}
//	{$project: {ids: {$slice: ["$ids", MaxGroupIDs]}, n: 1, q: 1, s: SETTLED}}
//
// W marks a member that gives more than one index key (an array of several values: a value
// repeated in it would count twice) or that MongoDB cannot index. A group is settled (s) when
// it lists no member, holds two or more, and its key is not one the engine's $group may
// split from an equal one (Engine.GroupSplits, as the scan's keepSuspect asks): its size is
// then n. A whole-document key settles every group, and one more $group sums them on the
// server. The groups stream in and are added up as they come; the others are counted as the
// scan answers them (scanexact.go): a group is its unlisted members plus its distinct listed
// ones, and the groups with suspect keys are held and merged at the end by the key
// generator's equality, which adds their unlisted members (each in one group only) and unites
// their listed ones. Where the scan must read members back (a key holding null inside a
// document or an array, on DocumentDB), where a group is too large to list, and on an engine
// whose $group may merge any two keys (Engine.GroupMerges: mongo-java-server), the count runs
// the scan and counts its groups (DupCount.ByScan).
//
// A last $group summing the settled groups on the server was tried: on FerretDB it cost
// more than sending one small document per group (BENCHMARKS.md, section 7), twice the
// scan's time where most groups are unsettled.
func (c *Client) DuplicateCount(ctx context.Context, ns model.Namespace, key model.Key) (model.DupCount, error) {
	if err := ctx.Err(); err != nil {
		return model.DupCount{}, c.wrap("count duplicates in "+ns.String(), err)
	}
	e, err := c.Engine(ctx)
	if err != nil {
		return model.DupCount{}, err
	}
	if err := refuse(key, e); err != nil {
		return model.DupCount{}, fmt.Errorf("count duplicates in %s: %w", ns, err)
	}
	if err := c.RefuseCodeWithScope(ctx, ns, key); err != nil {
		return model.DupCount{}, fmt.Errorf("count duplicates in %s: %w", ns, err)
	}
	if e.GroupMerges && !key.WholeDocument {
		return c.countByScan(ctx, ns, key)
	}
	p, err := countPipeline(key, e)
	if err != nil {
		return model.DupCount{}, err
	}
	cur, err := c.readAggregate(ctx, ns, "the count of "+key.String()+" in "+ns.String(), p, aggregateOptions(key, 0))
	if err != nil {
		return model.DupCount{}, c.scanError(ns, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	cc := &counter{cu: &Cursor{c: c, ns: ns, key: key, plain: plainKey(key), plainInDoc: plainInDoc(key, e)},
		splits: e.GroupSplits && !key.WholeDocument, spec: key.Spec()}
	for cur.Next(ctx) {
		if err := cc.doc(cur.Current); errors.Is(err, errCountByScan) {
			return c.countByScan(ctx, ns, key)
		} else if err != nil {
			return model.DupCount{}, err
		}
	}
	if err := cur.Err(); err != nil {
		return model.DupCount{}, c.scanError(ns, err)
	}
	if u := cc.unindexable; u != nil {
		return model.DupCount{}, &UnindexableError{Key: key, Unindexable: *u}
	}
	cc.flush()
	return cc.n, nil
}

// errCountByScan says a group came back that only the scan can settle.
var errCountByScan = errors.New("count by scanning")

// countPipeline is DuplicateCount's aggregation, built from the scan's (see DuplicateCount).
func countPipeline(key model.Key, e Engine) (bson.A, error) {
	scan, err := pipeline(key, MaxGroupIDs, e, !key.WholeDocument)
	if err != nil {
		return nil, err
	}
	gi := -1
	for i, st := range scan {
		if d, ok := st.(bson.D); ok && len(d) == 1 && d[0].Key == "$group" {
			gi = i
			break
		}
	}
	if gi < 0 || gi+1 >= len(scan) {
		return nil, fmt.Errorf("count: the scan's pipeline has no $group and $match")
	}
	id := field(scan[gi].(bson.D)[0].Value.(bson.D), "_id")
	keep := scan[gi+1]
	p := append(bson.A{}, scan[:gi]...)
	one := bson.D{{Key: "$sum", Value: 1}}
	if key.WholeDocument {
		// A document enters its group once, and the engines group documents as the scan
		// trusts them to (wholedoc.go): the server settles every group.
		return append(p,
			e1("$group", bson.D{{Key: "_id", Value: id}, {Key: "n", Value: one}}),
			keep,
			e1("$group", bson.D{{Key: "_id", Value: nil}, {Key: "groups", Value: one},
				{Key: "surplus", Value: e1("$sum", e1("$subtract", bson.A{"$n", 1}))}}),
		), nil
	}
	w := bson.A{e1("$eq", bson.A{"$m", true})}
	parts := []any{"$_id"} // the group key's values, as keepSuspect takes them
	if !plainKey(key) {
		w = append(w, e1("$eq", bson.A{"$k.x", true}))
		parts = parts[:0]
		for i := range key.Fields {
			parts = append(parts, "$_id."+cell(i))
		}
	}
	listed := e1("$or", w)
	var settled any = e1("$and", bson.A{e1("$eq", bson.A{"$q", 0}), e1("$gt", bson.A{"$n", 1})})
	if e.GroupSplits {
		// $switch, which every engine evaluates lazily: the suspect test only for a group
		// that would otherwise be settled, not for the singletons the scan's $match kept.
		settled = e1("$switch", bson.D{
			{Key: "branches", Value: bson.A{bson.D{{Key: "case", Value: e1("$not", bson.A{settled})}, {Key: "then", Value: false}}}},
			{Key: "default", Value: e1("$not", bson.A{keepSuspect(e, parts)[0].Value})}})
	}
	return append(p,
		e1("$group", bson.D{{Key: "_id", Value: id}, {Key: "n", Value: one},
			{Key: "q", Value: e1("$sum", cond(listed, 1, 0))},
			{Key: "ids", Value: e1("$push", cond(listed, "$_id", "$$REMOVE"))}}),
		keep,
		e1("$project", bson.D{{Key: "ids", Value: e1("$slice", bson.A{"$ids", MaxGroupIDs})}, {Key: "n", Value: 1}, {Key: "q", Value: 1},
			{Key: "s", Value: settled}})), nil
}

// field is the value of a document's field, or nil.
func field(d bson.D, name string) any {
	for _, e := range d {
		if e.Key == name {
			return e.Value
		}
	}
	return nil
}

// counter adds up countPipeline's documents as the scan answers its groups.
type counter struct {
	cu          *Cursor // reads group keys as the scan's cursor does
	splits      bool    // the engine's $group may split equal keys: suspect ones are merged here
	spec        model.KeySpec
	n           model.DupCount
	held        []countPart // groups with suspect keys, merged at the end
	unindexable *Unindexable
}

// countPart is a group whose key the engine may have split from an equal one: its key and
// listed members, copied out of the cursor's batch (detach), and its unlisted members (one
// key each, so in this group only).
type countPart struct {
	*pendingGroup
	unlisted int64
}

// doc adds one of countPipeline's documents: a whole-document key's sums, a settled group,
// or an unsettled one.
func (cc *counter) doc(doc bson.Raw) error {
	if doc.Lookup("_id").Type == bson.TypeNull {
		if g, ok := doc.Lookup("groups").AsInt64OK(); ok {
			s, _ := doc.Lookup("surplus").AsInt64OK()
			cc.n.Groups += g
			cc.n.Surplus += s
			return nil
		}
	}
	total, _ := doc.Lookup("n").AsInt64OK()
	if settled, _ := doc.Lookup("s").BooleanOK(); settled {
		cc.n.Add(int(total))
		return nil
	}
	ids, _ := doc.Lookup("ids").ArrayOK()
	vals, err := ids.Values()
	if err != nil {
		return err
	}
	listed, _ := doc.Lookup("q").AsInt64OK()
	if int64(len(vals)) < listed {
		return errCountByScan // cut at MaxGroupIDs: only the scan's reading of it is the scan's
	}
	id := doc.Lookup("_id")
	if d, ok := id.DocumentOK(); ok && !cc.cu.plain {
		if x, ok := d.Lookup("x").BooleanOK(); ok && x {
			got := sortIDs(vals)
			cc.unindexable = &Unindexable{Count: max(len(got), int(total)), IDs: got}
			return nil
		}
	}
	raw, err := cc.cu.rawKeyOf(id)
	if err != nil {
		return err
	}
	if !cc.splits || !suspectKey(raw) {
		cc.n.Add(int(total-listed) + distinctIDs(vals))
		return nil
	}
	if nestedNull(raw) {
		return errCountByScan // the scan reads these members back (splitNested)
	}
	cc.held = append(cc.held, countPart{detach(&pendingGroup{key: raw, ids: vals}), total - listed})
	return nil
}

// flush counts the held groups, merged as the scan's regroup.flush merges them: sorted in
// MongoDB's order, which finds equal at least the keys KeyID does, then parted by KeyID.
func (cc *counter) flush() {
	h := cc.held
	cc.held = nil
	sort.SliceStable(h, func(i, j int) bool { return compareKeys(h[i].key, h[j].key) < 0 })
	for lo := 0; lo < len(h); {
		hi := lo + 1
		for hi < len(h) && compareKeys(h[lo].key, h[hi].key) == 0 {
			hi++
		}
		if hi-lo == 1 {
			cc.n.Add(int(h[lo].unlisted) + distinctIDs(h[lo].ids))
			lo = hi
			continue
		}
		type merged struct {
			unlisted int64
			ids      []bson.RawValue
		}
		byKey := map[string]*merged{}
		var order []string
		for _, p := range h[lo:hi] {
			kid := cc.spec.KeyID(p.key.values())
			m := byKey[kid]
			if m == nil {
				m = &merged{}
				byKey[kid] = m
				order = append(order, kid)
			}
			m.unlisted += p.unlisted
			m.ids = append(m.ids, p.ids...)
		}
		for _, kid := range order {
			cc.n.Add(int(byKey[kid].unlisted) + distinctIDs(byKey[kid].ids))
		}
		lo = hi
	}
}

// distinctIDs counts distinct _ids: the same BSON value, type and bytes, is one document
// (sortIDs' rule).
func distinctIDs(vals []bson.RawValue) int {
	if len(vals) < 2 {
		return len(vals)
	}
	seen := make(map[string]bool, len(vals))
	for _, v := range vals {
		seen[rawIdentity(v)] = true
	}
	return len(seen)
}

// countByScan counts the groups the scan streams.
func (c *Client) countByScan(ctx context.Context, ns model.Namespace, key model.Key) (model.DupCount, error) {
	cu, err := c.Scan(ctx, ns, key)
	if err != nil {
		return model.DupCount{}, err
	}
	defer cu.Close(context.WithoutCancel(ctx))
	n := model.DupCount{ByScan: true}
	for {
		gs, err := cu.NextBatch(ctx, ScanBatchSize)
		for _, g := range gs {
			n.Add(len(g.IDs))
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return model.DupCount{}, err
		}
	}
}
