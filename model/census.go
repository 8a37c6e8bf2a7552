package model

// Where the duplicates are, before the user picks a key: for each candidate key of a
// collection (an existing non-unique index, a sampled field that looks unique, the whole
// document), how many duplicate groups a scan of it would find and how many documents are
// surplus. Counting reads the whole collection once per candidate, so a run of counts is
// bounded by a budget and says what it did not get to. The counting is the adapter's (or the
// demo store's); the order, the budget and the bookkeeping are here, once.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// DupCount is what a scan of a key finds, counted: its duplicate groups, and the surplus,
// the sum over groups of their size less one (with multikey keys a document may be in several
// groups, so the surplus bounds what a cleanup deletes rather than equalling it).
type DupCount struct {
	Groups  int64 `json:"groups"`
	Surplus int64 `json:"surplus"`
	// ByScan: the count ran the scan itself, because the engine's $group cannot be trusted to
	// count exactly what the scan finds (docs/cli.md, "dupes census").
	ByScan bool `json:"byScan,omitempty"`
}

// CountGroups counts groups as a scan returns them.
func CountGroups(gs []Group) DupCount {
	var c DupCount
	for _, g := range gs {
		c.Add(len(g.IDs))
	}
	return c
}

// Add counts one group of n distinct documents; fewer than two is no group.
func (c *DupCount) Add(n int) {
	if n < 2 {
		return
	}
	c.Groups++
	c.Surplus += int64(n - 1)
}

// CandidateKind says where a candidate key comes from.
type CandidateKind string

// The kinds of candidate, in the order a run counts them.
const (
	CandidateIndex CandidateKind = "index"          // an existing non-unique index
	CandidateField CandidateKind = "field"          // a sampled field
	CandidateWhole CandidateKind = "whole-document" // every field but _id
	// CandidateCollection stands for a whole collection in a not-done list: the run ended
	// before it looked for its candidates.
	CandidateCollection CandidateKind = "collection"
)

// Candidate is one key worth counting.
type Candidate struct {
	NS   Namespace
	Kind CandidateKind
	Key  Key
	// Why says, for people, why it is a candidate ("index email_1", "100% filled, 998 of
	// 1000 sampled values distinct").
	Why string
	// Docs is what counting it reads: the collection's estimated count (0 when unknown).
	Docs int64
	// LooksUnique: a field filled in most sampled documents and distinct in nearly all of them,
	// as a field meant to be unique is. Indexes and the whole document always count as such.
	LooksUnique bool
}

// Thresholds of LooksUnique: filled in at least half of the sample, and at least half of the
// sampled values distinct. A field meant to be unique has nearly all its sampled values
// distinct in a large collection (a sample of 1 000 rarely meets two copies of one value),
// and still most of them where the sample is the whole collection and duplicates abound
// (45% of the documents in groups of three leave 70% distinct); a category (a status, a
// country) has a few values, a few tenths at most.
const (
	uniqueFill     = 0.5
	uniqueDistinct = 0.5
)

// RankCandidates lists a collection's candidate keys in the order worth counting: its
// non-unique indexes as listed (not _id's, not text indexes), then its sampled fields, the
// unique-looking ones first, by fill times distinct share, then by path; a field that an
// index already covers alone is left out. distinct gives each sampled path's number of
// distinct values in the sample (FieldInfo counts holders, not values); docs is the
// collection's estimated count.
func RankCandidates(ns Namespace, docs int64, indexes []Index, fields []FieldInfo, distinct map[string]int) []Candidate {
	docs = max(docs, 0)
	var out []Candidate
	covered := map[string]bool{}
	for _, ix := range indexes {
		if ix.Unique || len(ix.Fields) == 0 || textIndex(ix) {
			continue
		}
		if len(ix.Fields) == 1 {
			covered[ix.Fields[0]] = true
		}
		out = append(out, Candidate{NS: ns, Kind: CandidateIndex, Key: ix.Key(), Docs: docs, LooksUnique: true,
			Why: "non-unique index " + ix.Name})
	}
	type scored struct {
		c     Candidate
		score float64
	}
	var fs []scored
	for _, f := range fields {
		if f.Path == "_id" || strings.HasPrefix(f.Path, "_id.") || covered[f.Path] || f.Present == 0 {
			continue
		}
		d := min(distinct[f.Path], f.Present)
		share := float64(d) / float64(f.Present)
		c := Candidate{NS: ns, Kind: CandidateField, Key: Key{Fields: []string{f.Path}}, Docs: docs,
			LooksUnique: f.FillRate() >= uniqueFill && share >= uniqueDistinct && f.Present >= 2,
			Why:         fmt.Sprintf("%.0f%% filled, %d of %d sampled values distinct", 100*f.FillRate(), d, f.Present)}
		fs = append(fs, scored{c, f.FillRate() * share})
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.c.LooksUnique != b.c.LooksUnique {
			return a.c.LooksUnique
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return a.c.Key.Fields[0] < b.c.Key.Fields[0]
	})
	for _, s := range fs {
		out = append(out, s.c)
	}
	return out
}

// textIndex tells a text index, whose key fields (_fts, _ftsx) are no document's fields.
func textIndex(ix Index) bool {
	for _, f := range ix.Fields {
		if f == "_fts" || f == "_ftsx" {
			return true
		}
	}
	return false
}

// WholeCandidate is the whole-document candidate of a collection: duplicates equal in every
// field but _id.
func WholeCandidate(ns Namespace, docs int64) Candidate {
	return Candidate{NS: ns, Kind: CandidateWhole, Key: Key{WholeDocument: true}, Docs: max(docs, 0), LooksUnique: true,
		Why: "documents equal in every field but _id"}
}

// Budget bounds a run of counts. Zero fields set no bound.
type Budget struct {
	// Docs is the most documents the counts may read: a count starts only if it fits.
	Docs int64
	// Time is the most the run may take: a count still running then is stopped.
	Time time.Duration
}

// CandidateCount is one candidate's result.
type CandidateCount struct {
	Candidate
	Count DupCount
	// Err says why the candidate has no count: the engine refused the key (a collation on
	// FerretDB), or documents cannot be indexed under it. The run goes on.
	Err     error
	Elapsed time.Duration
}

// Why a candidate was not counted.
const (
	NotDoneCancelled = "cancelled"
	NotDoneTime      = "time budget spent"
	NotDoneDocs      = "over the document budget"
)

// NotDone is a candidate a run did not count, and why.
type NotDone struct {
	Candidate
	Reason string
}

// Counter counts one key of one collection as a scan of it would find it.
type Counter func(ctx context.Context, ns Namespace, key Key) (DupCount, error)

// CountCandidates counts the candidates in the order given, reporting each result as it
// completes (report may be nil), until they are done, ctx is cancelled or the budget is
// spent, and returns the results and what it did not get to. A count cut short by the
// budget or ctx is not done, not a result. A candidate whose documents do not fit the
// document budget is skipped; the next ones may still fit.
func CountCandidates(ctx context.Context, cands []Candidate, b Budget, count Counter, report func(CandidateCount)) ([]CandidateCount, []NotDone) {
	run := &budgetRun{ctx: ctx, b: b}
	rctx, cancel := run.start()
	defer cancel()
	return run.count(rctx, cands, count, report)
}

// count is CountCandidates within a run already started (a census spends one budget on
// listing and counting).
func (r *budgetRun) count(ctx context.Context, cands []Candidate, count Counter, report func(CandidateCount)) ([]CandidateCount, []NotDone) {
	var done []CandidateCount
	var notDone []NotDone
	for i, c := range cands {
		if why := r.stopped(ctx); why != "" {
			for _, rest := range cands[i:] {
				notDone = append(notDone, NotDone{rest, why})
			}
			break
		}
		if !r.fits(c.Docs) {
			notDone = append(notDone, NotDone{c, NotDoneDocs})
			continue
		}
		t0 := time.Now()
		n, err := count(ctx, c.NS, c.Key)
		if err != nil {
			if why := r.stopped(ctx); why != "" {
				notDone = append(notDone, NotDone{c, why})
				continue
			}
		}
		r.read += c.Docs
		res := CandidateCount{Candidate: c, Count: n, Err: err, Elapsed: time.Since(t0)}
		done = append(done, res)
		if report != nil {
			report(res)
		}
	}
	return done, notDone
}

// budgetRun is one run's spending against its budget.
type budgetRun struct {
	ctx  context.Context // the caller's: cancelled means cancelled, not out of time
	b    Budget
	read int64
}

// start gives the run's context, which ends when the time budget does.
func (r *budgetRun) start() (context.Context, context.CancelFunc) {
	if r.b.Time > 0 {
		return context.WithTimeout(r.ctx, r.b.Time)
	}
	return context.WithCancel(r.ctx)
}

// stopped says why the run must stop, or "". The deadline is read from the clock too: a
// driver cuts its read at the context's deadline, and returns before the context says so.
func (r *budgetRun) stopped(ctx context.Context) string {
	deadline, ok := ctx.Deadline()
	switch {
	case r.ctx.Err() != nil:
		return NotDoneCancelled
	case ctx.Err() != nil, ok && !time.Now().Before(deadline):
		return NotDoneTime
	}
	return ""
}

// fits tells whether a count of docs documents stays within the document budget.
func (r *budgetRun) fits(docs int64) bool {
	return r.b.Docs <= 0 || r.read+docs <= r.b.Docs
}

// SortBySurplus orders results as a census shows them: most surplus first, then most
// groups, then failed counts last, then by namespace and the order they were counted in.
func SortBySurplus(rs []CandidateCount) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if (a.Err == nil) != (b.Err == nil) {
			return a.Err == nil
		}
		if a.Count.Surplus != b.Count.Surplus {
			return a.Count.Surplus > b.Count.Surplus
		}
		if a.Count.Groups != b.Count.Groups {
			return a.Count.Groups > b.Count.Groups
		}
		return a.NS.String() < b.NS.String()
	})
}

// CensusSource is what a census reads: the adapter on a live server, or the demo store.
type CensusSource interface {
	Collections(ctx context.Context, db string) ([]Collection, error)
	Indexes(ctx context.Context, ns Namespace) ([]Index, error)
	SampleFields(ctx context.Context, ns Namespace, n int) ([]FieldInfo, error)
	// SampleDistinct counts each path's distinct values in a sample of n documents (the
	// source's default when 0).
	SampleDistinct(ctx context.Context, ns Namespace, paths []string, n int) (map[string]int, error)
	DuplicateCount(ctx context.Context, ns Namespace, key Key) (DupCount, error)
}

// CensusOptions tune a census.
type CensusOptions struct {
	Budget Budget
	// Sample is the documents sampled per collection to find its fields; the source's
	// default when 0.
	Sample int
}

// Unscanned is a collection a census lists without counting, and why.
type Unscanned struct {
	Collection
	Reason string
}

// Census is where a database's duplicates are.
type Census struct {
	DB string
	// Results are the counted candidates, most surplus first (SortBySurplus).
	Results []CandidateCount
	// NotDone is what the budget or a cancel left uncounted, in the order it would have run.
	NotDone []NotDone
	// Unscanned lists views, time-series and system collections: listed, never read.
	Unscanned []Unscanned
	// Collections is how many collections were examined for candidates.
	Collections int
	Elapsed     time.Duration
}

// Complete reports whether every candidate was counted.
func (c Census) Complete() bool { return len(c.NotDone) == 0 }

// TakeCensus lists a database's collections and counts the candidate keys of each (its
// non-unique indexes, its unique-looking sampled fields, the whole document), within one
// budget that listing spends too. Counting goes breadth first: every collection's first
// candidate, then every one's second, so a budget that runs out has looked at every
// collection. Each result is reported as it completes (report may be nil). Only an error
// listing the collections fails the census; a collection that cannot be sampled is a result
// with its error.
func TakeCensus(ctx context.Context, src CensusSource, db string, opt CensusOptions, report func(CandidateCount)) (Census, error) {
	t0 := time.Now()
	run := &budgetRun{ctx: ctx, b: opt.Budget}
	rctx, cancel := run.start()
	defer cancel()
	out := Census{DB: db}
	// Listing is not cut by the time budget: a census out of time still names its collections.
	cols, err := src.Collections(ctx, db)
	if err != nil {
		return out, err
	}
	var lists [][]Candidate
	for _, col := range cols {
		if why := unscannable(col); why != "" {
			out.Unscanned = append(out.Unscanned, Unscanned{col, why})
			continue
		}
		whole := Candidate{NS: col.NS, Kind: CandidateCollection, Docs: max(col.Count, 0), Why: "its candidates"}
		if why := run.stopped(rctx); why != "" {
			out.NotDone = append(out.NotDone, NotDone{whole, why})
			continue
		}
		cands, err := censusCandidates(rctx, src, col, opt.Sample)
		if err != nil {
			if why := run.stopped(rctx); why != "" {
				out.NotDone = append(out.NotDone, NotDone{whole, why})
				continue
			}
			res := CandidateCount{Candidate: whole, Err: err}
			out.Results = append(out.Results, res)
			if report != nil {
				report(res)
			}
			out.Collections++
			continue
		}
		out.Collections++
		lists = append(lists, cands)
	}
	done, notDone := run.count(rctx, interleave(lists), src.DuplicateCount, report)
	out.Results = append(out.Results, done...)
	out.NotDone = append(out.NotDone, notDone...)
	SortBySurplus(out.Results)
	out.Elapsed = time.Since(t0)
	return out, nil
}

// unscannable says why a census lists a collection without reading it, or "".
func unscannable(col Collection) string {
	switch {
	case col.Type == TypeView:
		if col.ViewOn != "" {
			return "view on " + col.ViewOn + ": count that collection"
		}
		return "view"
	case col.Type == TypeTimeseries:
		return "time-series collection"
	case col.System():
		return "system collection"
	case col.Type != TypeCollection:
		return string(col.Type)
	}
	return ""
}

// FindCandidates lists a collection's candidate keys in the order worth counting
// (RankCandidates): it reads the collection's indexes, samples its fields (sample documents,
// the source's default when 0) and counts their distinct values in a sample.
func FindCandidates(ctx context.Context, src CensusSource, col Collection, sample int) ([]Candidate, error) {
	ixs, err := src.Indexes(ctx, col.NS)
	if err != nil {
		return nil, err
	}
	fields, err := src.SampleFields(ctx, col.NS, sample)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(fields))
	for _, f := range fields {
		paths = append(paths, f.Path)
	}
	distinct, err := src.SampleDistinct(ctx, col.NS, paths, sample)
	if err != nil {
		return nil, err
	}
	return RankCandidates(col.NS, col.Count, ixs, fields, distinct), nil
}

// censusCandidates are one collection's candidates for a census: its non-unique indexes, its
// sampled fields that look unique, and the whole document (when the sample met any field).
func censusCandidates(ctx context.Context, src CensusSource, col Collection, sample int) ([]Candidate, error) {
	all, err := FindCandidates(ctx, src, col, sample)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, c := range all {
		if c.LooksUnique {
			out = append(out, c)
		}
	}
	return append(out, WholeCandidate(col.NS, col.Count)), nil
}

// interleave takes every list's first element, then every list's second, and so on.
func interleave(lists [][]Candidate) []Candidate {
	var out []Candidate
	for i := 0; ; i++ {
		took := false
		for _, l := range lists {
			if i < len(l) {
				out = append(out, l[i])
				took = true
			}
		}
		if !took {
			return out
		}
	}
}
