package mongo

import (
	"context"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FetchBatchSize is how many _ids one find asks for. Measured (BENCHMARKS.md, "find by _id
// list"): on mongo-java-server a find's cost per id grows with the list's length (it matches
// each found document against the whole $in list), with a flat minimum from 100 to 300 ids
// (22-29 µs per id, against 55 µs at 1 000); 200 keeps round trips few on a real server too.
const FetchBatchSize = 200

// FetchDocs reads documents by _id, FetchBatchSize ids per round trip, and returns them in
// the order of ids. Documents that no longer exist are left out.
func (c *Client) FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error) {
	return c.fetch(ctx, ns, ids, nil)
}

// fetch reads documents by _id with an optional projection. Whole documents (no projection)
// carry their fingerprint.
func (c *Client) fetch(ctx context.Context, ns model.Namespace, ids []model.Value, projection bson.D) ([]model.Doc, error) {
	found := make(map[model.Value]model.Doc, len(ids))
	err := c.fetchRaw(ctx, ns, ids, FetchBatchSize, projection, func(raw bson.Raw) error {
		d, err := flatten(raw)
		if projection == nil {
			d.Fingerprint = model.FingerprintOf(raw)
		}
		found[d.ID] = d
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]model.Doc, 0, len(found))
	for _, id := range ids {
		if d, ok := found[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// fetchRaw reads documents by _id, batch ids per find, and hands each to fn as the driver
// holds it (valid only during the call).
func (c *Client) fetchRaw(ctx context.Context, ns model.Namespace, ids []model.Value, batch int, projection bson.D, fn func(bson.Raw) error) error {
	// The replies are sized as a run's re-reads are (replyDocs): the first asks for one
	// document, whose size then bounds the rest to about replyBytes, where the server would
	// fill each reply up to 16 MiB of large documents.
	var docs, bytes int64
	for start := 0; start < len(ids); start += batch {
		end := min(start+batch, len(ids))
		in, err := rawValues(ids[start:end])
		if err != nil {
			return err
		}
		first := docs == 0
		size := replyDocs(end-start, docs, bytes)
		if first {
			size = 1
		}
		opts := options.Find().SetBatchSize(int32(size))
		if projection != nil {
			opts.SetProjection(projection)
		}
		cur, err := c.readFind(ctx, ns, "reading the documents of "+ns.String(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}, opts)
		if err != nil {
			return c.wrap("read documents of "+ns.String(), err)
		}
		for cur.Next(ctx) {
			docs, bytes = docs+1, bytes+int64(len(cur.Current))
			if first {
				first = false
				cur.SetBatchSize(int32(replyDocs(end-start, docs, bytes)))
			}
			if err := fn(cur.Current); err != nil {
				cur.Close(ctx)
				return err
			}
		}
		err = cur.Err()
		cur.Close(ctx)
		if err != nil {
			return c.wrap("read documents of "+ns.String(), err)
		}
	}
	return nil
}

// Keepers applies a keep rule to groups and returns, per group, the index in its IDs of the
// document to keep. Rules that compare documents read them in batches of FetchBatchSize ids
// (projected to the compared field where one is named), never one round trip per group.
// A max/min rule whose field no member of any group holds fails with a
// *model.UnknownFieldError: it would silently keep the smallest _id everywhere.
func (c *Client) Keepers(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) ([]int, error) {
	keep, held, err := c.KeepersHeld(ctx, ns, rule, groups)
	if err == nil && !held && len(groups) > 0 {
		return nil, &model.UnknownFieldError{Field: rule.Field, In: model.InGroups}
	}
	return keep, err
}

// KeepersHeld is Keepers without the refusal: held says whether some member holds the rule's
// field (always true for a rule that names none). A streamed resolve decides groups a chunk at
// a time, and refuses only when its first chunk holds the field nowhere; a later chunk that
// does not keeps what the rule keeps there, its smallest existing _id, as Keepers would.
func (c *Client) KeepersHeld(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) (keep []int, held bool, err error) {
	ranks, held, err := c.RanksHeld(ctx, ns, rule, groups)
	return firsts(ranks), held, err
}

// firsts is each rank's first: the keeper.
func firsts(ranks [][]int) []int {
	if ranks == nil {
		return nil
	}
	keep := make([]int, len(ranks))
	for i, r := range ranks {
		keep[i] = r[0]
	}
	return keep
}

// RanksHeld is KeepersHeld with each group's members in the rule's order, best first
// (model.KeepRule.Rank): the planner's next choice where overlapping groups (array keys) take
// a group's keeper for another key (model.Choice.Rank).
func (c *Client) RanksHeld(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) (rank [][]int, held bool, err error) {
	rank = make([][]int, len(groups))
	if !rule.NeedsDocs() {
		for i, g := range groups {
			rank[i], _ = rule.Rank(g, nil)
		}
		return rank, true, nil
	}
	var projection bson.D
	if rule.NeedsField() {
		projection = bson.D{{Key: rule.Field, Value: 1}}
	}
	for start := 0; start < len(groups); {
		// Take whole groups until the batch holds about FetchBatchSize ids.
		end, n := start, 0
		for end < len(groups) && (n == 0 || n+groups[end].Count() <= FetchBatchSize) {
			n += groups[end].Count()
			end++
		}
		ids := make([]model.Value, 0, n)
		for _, g := range groups[start:end] {
			ids = append(ids, g.IDs...)
		}
		docs, err := c.fetch(ctx, ns, ids, projection)
		if err != nil {
			return nil, false, err
		}
		held = held || rule.FieldHeld(docs)
		for i := start; i < end; i++ {
			if rank[i], err = rule.Rank(groups[i], docs); err != nil {
				return nil, false, err
			}
		}
		start = end
	}
	return rank, held, nil
}

// PrintBatchSize is how many members one find of KeepersPrinted reads, whole. Larger than
// FetchBatchSize: on a real server a find by _id list costs about the same per document from
// a few hundred ids up, and a plan reads every member (see BENCHMARKS.md).
var PrintBatchSize = 1000

// KeepersPrinted is KeepersHeld for a plan: it also reads every member, whole, and returns the
// fingerprint of each found (model.FingerprintOf of its BSON as read), which the plan records
// (model.Fingerprints.Stamp) so that a run deletes only the versions planned. A rule that
// compares documents decides from that same read.
func (c *Client) KeepersPrinted(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) (keep []int, held bool, prints model.Fingerprints, err error) {
	ranks, held, prints, err := c.RanksPrinted(ctx, ns, rule, groups)
	return firsts(ranks), held, prints, err
}

// RanksPrinted is KeepersPrinted with each group's members in the rule's order (RanksHeld).
func (c *Client) RanksPrinted(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) (rank [][]int, held bool, prints model.Fingerprints, err error) {
	rank = make([][]int, len(groups))
	held = !rule.NeedsDocs()
	n := 0
	for _, g := range groups {
		n += g.Count()
	}
	prints = make(model.Fingerprints, n)
	for start := 0; start < len(groups); {
		end, n := start, 0
		for end < len(groups) && (n == 0 || n+groups[end].Count() <= PrintBatchSize) {
			n += groups[end].Count()
			end++
		}
		ids := make([]model.Value, 0, n)
		for _, g := range groups[start:end] {
			ids = append(ids, g.IDs...)
		}
		var docs []model.Doc
		err := c.fetchRaw(ctx, ns, ids, len(ids), nil, func(raw bson.Raw) error {
			id := idOf(raw)
			prints[id] = model.FingerprintOf(raw)
			if !rule.NeedsDocs() {
				return nil
			}
			d, err := flatten(raw)
			docs = append(docs, d)
			return err
		})
		if err != nil {
			return nil, false, nil, err
		}
		held = held || rule.FieldHeld(docs)
		for i := start; i < end; i++ {
			if rank[i], err = rule.Rank(groups[i], docs); err != nil {
				return nil, false, nil, err
			}
		}
		start = end
	}
	return rank, held, prints, nil
}
