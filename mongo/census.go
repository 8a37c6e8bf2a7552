package mongo

import (
	"context"
	"errors"
	"sort"
	"strconv"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// maxDistinctPaths caps the paths SampleDistinct counts in one aggregation: a collection with
// thousands of sampled paths has its first ones (the most filled) counted.
const maxDistinctPaths = 200

// SampleDistinct counts, for each path, the distinct values among a random sample of n
// documents (DefaultSample when 0): an array counts as one value, and values MongoDB finds
// equal (1 and 1.0) as one. It is a hint for ordering candidates (model.RankCandidates). The
// sample is read, its paths only, and counted here rather than by $addToSet on the server:
// DocumentDB's backend crashes grouping a CodeWithScope, which a sampled field may hold
// (docs/engines.md). Like SampleFields, it falls back to the first n documents where $sample
// fails.
func (c *Client) SampleDistinct(ctx context.Context, ns model.Namespace, paths []string, n int) (map[string]int, error) {
	if n <= 0 {
		n = DefaultSample
	}
	paths = paths[:min(len(paths), maxDistinctPaths)]
	out := map[string]int{}
	if len(paths) == 0 {
		return out, nil
	}
	proj := bson.D{{Key: "_id", Value: 0}}
	for i, p := range paths {
		proj = append(proj, bson.E{Key: "f" + strconv.Itoa(i), Value: "$" + p})
	}
	what := "the sample of " + ns.String()
	read := func(first bson.D) ([]bson.Raw, error) {
		cur, err := c.readAggregate(ctx, ns, what, bson.A{first, e1("$project", proj)}, nil)
		if err != nil {
			return nil, err
		}
		defer cur.Close(context.WithoutCancel(ctx))
		var docs []bson.Raw
		for cur.Next(ctx) {
			docs = append(docs, append(bson.Raw(nil), cur.Current...))
		}
		return docs, cur.Err()
	}
	docs, err := read(e1("$sample", bson.D{{Key: "size", Value: n}}))
	if err != nil && ctx.Err() == nil && !errors.Is(err, ErrMaxTime) {
		docs, err = read(e1("$limit", n)) // as SampleFields: $sample fails on mongo-java-server now and then
	}
	if err != nil {
		return nil, c.wrap("sample "+ns.String(), err)
	}
	for i, p := range paths {
		var vals []bson.RawValue
		for _, d := range docs {
			if v, err := d.LookupErr("f" + strconv.Itoa(i)); err == nil {
				vals = append(vals, v)
			}
		}
		out[p] = distinct(vals)
	}
	return out, nil
}

// distinct counts the values MongoDB's comparison finds different (model.CompareRaw).
func distinct(vals []bson.RawValue) int {
	if len(vals) == 0 {
		return 0
	}
	sort.Slice(vals, func(i, j int) bool { return model.CompareRaw(vals[i], vals[j]) < 0 })
	n := 1
	for i := 1; i < len(vals); i++ {
		if model.CompareRaw(vals[i-1], vals[i]) != 0 {
			n++
		}
	}
	return n
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
