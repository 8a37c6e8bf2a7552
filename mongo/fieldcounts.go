package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// DuplicateCount counts what a scan of key finds in ns: its duplicate groups and their
// surplus documents, in one pass that returns no ids in the common case. It is the scan's
// pipeline (pipeline, with the multikey mark) up to and including its $match on groups, with
// the $group's ids pushed only for the members whose count the server cannot settle, and a
// last $group that sums the settled groups:
//
//	… the scan's stages up to its $group, then
//	{$group: {_id: KEY, n: {$sum: 1}, q: {$sum: NEED}, ids: {$push: {$cond: [NEED, "$_id", "$$REMOVE"]}}}}
//	{$match: the scan's}
//	{$project: {ids: {$slice: ["$ids", MaxGroupIDs]}, n: 1, q: 1}}
//	{$group: {_id: {$cond: [SETTLED, null, {g: "$_id"}]}, groups: …, surplus: …, rest: {$push: unsettled groups}}}
//
// A member needs its _id pushed when it may enter a group more than once (it gives more than
// one index key: a repeated array value would count twice), when its key is one the engine's
// $group may split from its equals (Engine.GroupSplits: the scan merges those groups in Go),
// or when MongoDB cannot index it. Those groups come back as the scan's own output and go
// through the scan's decoding and regrouping (scanexact.go), so the count is the scan's.
// On an engine whose $group may merge any two keys (Engine.GroupMerges: mongo-java-server),
// every group needs its members' keys, so the count runs the scan and counts its groups
// (DupCount.ByScan); so does a rare group too large to list.
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
	if e.GroupMerges && !key.WholeDocument {
		return c.countByScan(ctx, ns, key)
	}
	p, err := countPipeline(key, e)
	if err != nil {
		return model.DupCount{}, err
	}
	cur, err := c.coll(ns).Aggregate(ctx, p, aggregateOptions(key, 0).SetComment(c.comment()))
	if err != nil {
		return model.DupCount{}, c.scanError(ns, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	cu := &Cursor{c: c, ns: ns, key: key, plain: plainKey(key), plainInDoc: plainInDoc(key, e), regroup: newRegroup(key, e)}
	var n model.DupCount
	for cur.Next(ctx) {
		if err := cu.countDoc(cur.Current, &n); errors.Is(err, errCountByScan) {
			return c.countByScan(ctx, ns, key)
		} else if err != nil {
			return model.DupCount{}, err
		}
	}
	if err := cur.Err(); err != nil {
		return model.DupCount{}, c.scanError(ns, err)
	}
	if u := cu.unindexable; u != nil {
		return model.DupCount{}, &UnindexableError{Key: key, Unindexable: *u}
	}
	if cu.regroup != nil {
		held, err := cu.regroup.flush(func(ps []*pendingGroup) ([]*pendingGroup, error) { return cu.splitNested(ctx, ps) })
		if err != nil {
			return model.DupCount{}, err
		}
		for _, g := range held {
			n.Add(len(g.IDs))
		}
	}
	return n, nil
}

// errCountByScan says a group came back that only the scan can settle.
var errCountByScan = errors.New("count by scanning")

// countPipeline is DuplicateCount's aggregation, built from the scan's (see DuplicateCount).
func countPipeline(key model.Key, e Engine) (bson.A, error) {
	mark := !key.WholeDocument
	scan, err := pipeline(key, MaxGroupIDs, e, mark)
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
	need := countNeed(key, e, id)
	p = append(p,
		e1("$group", bson.D{{Key: "_id", Value: id}, {Key: "n", Value: one},
			{Key: "q", Value: e1("$sum", cond(need, 1, 0))},
			{Key: "ids", Value: e1("$push", cond(need, "$_id", "$$REMOVE"))}}),
		keep,
		e1("$project", bson.D{{Key: "ids", Value: e1("$slice", bson.A{"$ids", MaxGroupIDs})}, {Key: "n", Value: 1}, {Key: "q", Value: 1}}))
	// A settled group lists no member and has two or more: one entry each.
	settled := e1("$and", bson.A{e1("$eq", bson.A{"$q", 0}), e1("$gt", bson.A{"$n", 1})})
	return append(p, e1("$group", bson.D{
		{Key: "_id", Value: cond(settled, nil, bson.D{{Key: "g", Value: "$_id"}})},
		{Key: "groups", Value: e1("$sum", cond(settled, 1, 0))},
		{Key: "surplus", Value: e1("$sum", cond(settled, e1("$subtract", bson.A{"$n", 1}), 0))},
		{Key: "rest", Value: e1("$push", cond(settled, "$$REMOVE", "$$ROOT"))},
	})), nil
}

// countNeed is true for a member whose _id the count needs (see DuplicateCount): it gives
// more than one index key (the scan's multikey mark, m), it cannot be indexed (x), or, on an
// engine that splits equal values, its key is suspect, as keepSuspect asks of a group's key.
func countNeed(key model.Key, e Engine, id any) bson.D {
	ors := bson.A{e1("$eq", bson.A{"$m", true})}
	parts := []any{id}
	if !plainKey(key) {
		ors = append(ors, e1("$eq", bson.A{"$k.x", true}))
		parts = parts[:0]
		for i := range key.Fields {
			parts = append(parts, field(id.(bson.D), cell(i)))
		}
	}
	if e.GroupSplits {
		for _, x := range parts {
			ors = append(ors, suspect(x, e))
		}
	}
	return e1("$or", ors)
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

// countDoc adds what one of countPipeline's documents says to n: the settled groups' sums,
// or the unsettled groups, decoded as the scan decodes its groups.
func (cu *Cursor) countDoc(doc bson.Raw, n *model.DupCount) error {
	if doc.Lookup("_id").Type == bson.TypeNull {
		g, _ := doc.Lookup("groups").AsInt64OK()
		s, _ := doc.Lookup("surplus").AsInt64OK()
		n.Groups += g
		n.Surplus += s
		return nil
	}
	rest, ok := doc.Lookup("rest").ArrayOK()
	if !ok {
		return fmt.Errorf("count %s: unexpected result %s", cu.ns, doc)
	}
	groups, err := rest.Values()
	if err != nil {
		return err
	}
	for _, gv := range groups {
		g, ok := gv.DocumentOK()
		if !ok {
			return fmt.Errorf("count %s: unexpected group %s", cu.ns, gv)
		}
		if err := cu.countGroup(g, n); err != nil {
			return err
		}
	}
	return nil
}

// countGroup counts one unsettled group: q of its n entries are listed in ids, the other
// n-q are members of one key each, counted but not listed.
func (cu *Cursor) countGroup(g bson.Raw, n *model.DupCount) error {
	ids, _ := g.Lookup("ids").ArrayOK()
	vals, err := ids.Values()
	if err != nil {
		return err
	}
	total, _ := g.Lookup("n").AsInt64OK()
	listed, _ := g.Lookup("q").AsInt64OK()
	if int64(len(vals)) < listed {
		return errCountByScan // cut at MaxGroupIDs: only the scan's reading of it is the scan's
	}
	if total == listed {
		gs, err := cu.decode(g)
		if err != nil {
			return err
		}
		for _, grp := range gs {
			n.Add(len(grp.IDs))
		}
		return nil
	}
	raw, err := cu.rawKeyOf(g.Lookup("_id"))
	if err != nil {
		return err
	}
	if cu.regroup != nil && suspectKey(raw) {
		// A suspect key holding members that were not listed: the engine put a value
		// the count took as settled with one it may split. Only the scan merges it.
		return errCountByScan
	}
	n.Add(int(total-listed) + len(sortIDs(vals)))
	return nil
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
