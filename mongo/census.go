package mongo

import (
	"context"
	"strconv"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// maxDistinctPaths caps the paths SampleDistinct counts in one aggregation: a collection with
// thousands of sampled paths has its first ones (the most filled) counted.
const maxDistinctPaths = 200

// SampleDistinct counts, for each path, the distinct values among a random sample of n
// documents (DefaultSample when 0), as $addToSet finds them: an array counts as one value.
// It is a hint for ordering candidates (model.RankCandidates), read in one aggregation; like
// SampleFields, it falls back to the first n documents where $sample fails.
func (c *Client) SampleDistinct(ctx context.Context, ns model.Namespace, paths []string, n int) (map[string]int, error) {
	if n <= 0 {
		n = DefaultSample
	}
	paths = paths[:min(len(paths), maxDistinctPaths)]
	out := map[string]int{}
	if len(paths) == 0 {
		return out, nil
	}
	group := bson.D{{Key: "_id", Value: nil}}
	sizes := bson.D{{Key: "_id", Value: 0}}
	for i, p := range paths {
		f := "f" + strconv.Itoa(i)
		group = append(group, bson.E{Key: f, Value: e1("$addToSet", "$"+p)})
		sizes = append(sizes, bson.E{Key: f, Value: e1("$size", "$"+f)})
	}
	read := func(first bson.D) (bson.Raw, error) {
		cur, err := c.coll(ns).Aggregate(ctx, bson.A{first, e1("$group", group), e1("$project", sizes)},
			options.Aggregate().SetComment(c.comment()))
		if err != nil {
			return nil, err
		}
		defer cur.Close(context.WithoutCancel(ctx))
		if !cur.Next(ctx) {
			return nil, cur.Err()
		}
		return cur.Current, nil
	}
	doc, err := read(e1("$sample", bson.D{{Key: "size", Value: n}}))
	if err != nil && ctx.Err() == nil {
		doc, err = read(e1("$limit", n)) // as SampleFields: $sample fails on mongo-java-server now and then
	}
	if err != nil {
		return nil, c.wrap("sample "+ns.String(), err)
	}
	for i, p := range paths {
		if v, ok := doc.Lookup("f" + strconv.Itoa(i)).AsInt64OK(); ok {
			out[p] = int(v)
		}
	}
	return out, nil
}

// Candidates lists a collection's candidate keys in the order worth counting
// (model.RankCandidates): its non-unique indexes, then every sampled field, the
// unique-looking ones first.
func (c *Client) Candidates(ctx context.Context, ns model.Namespace) ([]model.Candidate, error) {
	col, err := c.Collection(ctx, ns)
	if err != nil {
		return nil, err
	}
	return model.FindCandidates(ctx, c, col, 0)
}

// CountCandidates counts candidates in turn (DuplicateCount), reporting each result as it
// completes, until ctx is cancelled or the budget is spent (model.CountCandidates); it returns
// the results and the candidates it did not get to.
func (c *Client) CountCandidates(ctx context.Context, cands []model.Candidate, b model.Budget,
	report func(model.CandidateCount)) ([]model.CandidateCount, []model.NotDone) {
	return model.CountCandidates(ctx, cands, b, c.DuplicateCount, report)
}

// Census counts the candidate keys of every collection of a database within a budget
// (model.TakeCensus). It only reads.
func (c *Client) Census(ctx context.Context, db string, opt model.CensusOptions, report func(model.CandidateCount)) (model.Census, error) {
	return model.TakeCensus(ctx, c, db, opt, report)
}

var _ model.CensusSource = (*Client)(nil)
