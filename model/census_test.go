package model

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRankCandidates(t *testing.T) {
	ns := Namespace{DB: "shop", Coll: "users"}
	ixs := []Index{
		{Name: "_id_", Fields: []string{"_id"}, Unique: true},
		{Name: "email_1", Fields: []string{"email"}, Unique: true},
		{Name: "sku_1", Fields: []string{"sku"}},
		{Name: "last_1_first_1", Fields: []string{"last", "first"}},
		{Name: "text", Fields: []string{"_fts", "_ftsx"}},
	}
	fields := []FieldInfo{
		{Path: "_id", Present: 100, Sampled: 100},
		{Path: "status", Present: 100, Sampled: 100},  // 3 values: not unique-looking
		{Path: "sku", Present: 100, Sampled: 100},     // covered by sku_1
		{Path: "phone", Present: 60, Sampled: 100},    // unique-looking, less filled
		{Path: "ssn", Present: 100, Sampled: 100},     // unique-looking
		{Path: "nickname", Present: 20, Sampled: 100}, // distinct but rare
		{Path: "addr.zip", Present: 100, Sampled: 100},
		{Path: "ref", Present: 100, Sampled: 100},  // 70 distinct: a key with many copies
		{Path: "city", Present: 100, Sampled: 100}, // 30 distinct: a category
	}
	distinct := map[string]int{"status": 3, "sku": 100, "phone": 60, "ssn": 99, "nickname": 20, "addr.zip": 95, "ref": 70, "city": 30}
	got := RankCandidates(ns, 1000, ixs, fields, distinct)
	var names []string
	for _, c := range got {
		names = append(names, string(c.Kind)+":"+c.Key.String())
		if c.Docs != 1000 || c.NS != ns {
			t.Errorf("%s: docs %d ns %s", c.Key, c.Docs, c.NS)
		}
	}
	want := []string{"index:sku", "index:(last, first)", "field:ssn", "field:addr.zip", "field:ref", "field:phone", "field:city", "field:nickname", "field:status"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("order\n got %v\nwant %v", names, want)
	}
	unique := map[string]bool{}
	for _, c := range got {
		unique[c.Key.String()] = c.LooksUnique
	}
	if !unique["ssn"] || !unique["phone"] || !unique["ref"] || unique["city"] || unique["nickname"] || unique["status"] || !unique["sku"] {
		t.Errorf("looks unique: %v", unique)
	}
	if got[0].Key.Index != "sku_1" || !strings.Contains(got[2].Why, "99 of 100") {
		t.Errorf("candidates carry their index and why: %+v %+v", got[0], got[2])
	}
}

// fakeCounts counts from a table, and records what it was asked.
type fakeCounts struct {
	counts map[string]DupCount
	asked  []string
	// block makes the count of that key wait for the context to end.
	block string
}

func (f *fakeCounts) count(ctx context.Context, ns Namespace, key Key) (DupCount, error) {
	name := ns.Coll + ":" + key.String()
	f.asked = append(f.asked, name)
	if name == f.block {
		<-ctx.Done()
		return DupCount{}, ctx.Err()
	}
	if n, ok := f.counts[name]; ok {
		return n, nil
	}
	return DupCount{}, errors.New("refused")
}

func cand(coll, field string, docs int64) Candidate {
	return Candidate{NS: Namespace{DB: "d", Coll: coll}, Kind: CandidateField, Key: Key{Fields: []string{field}}, Docs: docs}
}

func notDoneNames(nd []NotDone) []string {
	var out []string
	for _, n := range nd {
		out = append(out, n.NS.Coll+":"+n.Key.String()+" "+n.Reason)
	}
	return out
}

func TestCountCandidatesDocumentBudget(t *testing.T) {
	f := &fakeCounts{counts: map[string]DupCount{"a:x": {Groups: 1, Surplus: 2}, "a:y": {}, "b:z": {Groups: 3, Surplus: 3}}}
	cands := []Candidate{cand("a", "x", 40), cand("a", "y", 40), cand("c", "big", 500), cand("b", "z", 20), cand("b", "w", 30)}
	var reported []string
	done, nd := CountCandidates(context.Background(), cands, Budget{Docs: 100}, f.count, func(r CandidateCount) {
		reported = append(reported, r.NS.Coll+":"+r.Key.String())
	})
	// 40 + 40 + 20 fit in 100; the big one and the last do not.
	if want := []string{"a:x", "a:y", "b:z"}; !reflect.DeepEqual(reported, want) || !reflect.DeepEqual(f.asked, want) {
		t.Fatalf("reported %v, asked %v, want %v", reported, f.asked, want)
	}
	if want := []string{"c:big " + NotDoneDocs, "b:w " + NotDoneDocs}; !reflect.DeepEqual(notDoneNames(nd), want) {
		t.Fatalf("not done %v, want %v", notDoneNames(nd), want)
	}
	SortBySurplus(done)
	if done[0].NS.Coll != "b" || done[1].Key.String() != "x" {
		t.Errorf("by surplus: %+v", done)
	}
}

func TestCountCandidatesStops(t *testing.T) {
	cands := []Candidate{cand("a", "x", 1), cand("a", "slow", 1), cand("a", "y", 1)}
	// The time budget ends the count in flight: it and the rest are not done.
	f := &fakeCounts{counts: map[string]DupCount{"a:x": {}}, block: "a:slow"}
	done, nd := CountCandidates(context.Background(), cands, Budget{Time: 50e6}, f.count, nil)
	if len(done) != 1 || !reflect.DeepEqual(notDoneNames(nd), []string{"a:slow " + NotDoneTime, "a:y " + NotDoneTime}) {
		t.Fatalf("done %v, not done %v", done, notDoneNames(nd))
	}
	// A driver cuts its read at the deadline and may fail before the context says it ended:
	// the clock says so, and the count is not done, for want of time, not a failed result.
	r := &budgetRun{ctx: context.Background()}
	if why := r.stopped(pastDeadline{context.Background()}); why != NotDoneTime {
		t.Fatalf("a context past its deadline that does not say so yet: %q, want %q", why, NotDoneTime)
	}
	// A cancelled context: nothing is counted, everything is not done, as cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f = &fakeCounts{}
	done, nd = CountCandidates(ctx, cands, Budget{}, f.count, nil)
	if len(done) != 0 || len(f.asked) != 0 || len(nd) != 3 || nd[0].Reason != NotDoneCancelled {
		t.Fatalf("cancelled: done %v, asked %v, not done %v", done, f.asked, notDoneNames(nd))
	}
	// A refusal is a result with its error, and the run goes on.
	f = &fakeCounts{counts: map[string]DupCount{"a:y": {Groups: 1, Surplus: 1}}}
	done, nd = CountCandidates(context.Background(), []Candidate{cand("a", "x", 1), cand("a", "y", 1)}, Budget{}, f.count, nil)
	if len(done) != 2 || done[0].Err == nil || done[1].Err != nil || len(nd) != 0 {
		t.Fatalf("refusal: done %+v, not done %v", done, nd)
	}
}

// pastDeadline is a context whose deadline has passed and whose Err has not caught up.
type pastDeadline struct{ context.Context }

func (pastDeadline) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

// fakeSource is a database for TakeCensus.
type fakeSource struct {
	fakeCounts
	cols []Collection
}

func (s *fakeSource) Collections(ctx context.Context, db string) ([]Collection, error) {
	return s.cols, nil
}
func (s *fakeSource) Indexes(ctx context.Context, ns Namespace) ([]Index, error) {
	if ns.Coll == "orders" {
		return []Index{{Name: "_id_", Fields: []string{"_id"}, Unique: true}, {Name: "ref_1", Fields: []string{"ref"}}}, nil
	}
	return nil, nil
}
func (s *fakeSource) SampleFields(ctx context.Context, ns Namespace, n int) ([]FieldInfo, error) {
	if ns.Coll == "broken" {
		return nil, errors.New("sample failed")
	}
	return []FieldInfo{{Path: "_id", Present: 10, Sampled: 10}, {Path: "email", Present: 10, Sampled: 10}, {Path: "kind", Present: 10, Sampled: 10}}, nil
}
func (s *fakeSource) SampleDistinct(ctx context.Context, ns Namespace, paths []string, n int) (map[string]int, error) {
	return map[string]int{"_id": 10, "email": 10, "kind": 2}, nil
}
func (s *fakeSource) DuplicateCount(ctx context.Context, ns Namespace, key Key) (DupCount, error) {
	return s.count(ctx, ns, key)
}

func TestTakeCensus(t *testing.T) {
	col := func(name string, typ CollectionType) Collection {
		return Collection{NS: Namespace{DB: "d", Coll: name}, Type: typ, Count: 10}
	}
	view := col("recent", TypeView)
	view.ViewOn = "orders"
	src := &fakeSource{cols: []Collection{col("broken", TypeCollection), col("orders", TypeCollection), view,
		col("system.profile", TypeCollection), col("ticks", TypeTimeseries), col("users", TypeCollection)}}
	src.counts = map[string]DupCount{
		"orders:ref": {Groups: 2, Surplus: 5}, "orders:email": {}, "orders:whole document": {Groups: 1, Surplus: 1},
		"users:email": {Groups: 3, Surplus: 3}, "users:whole document": {},
	}
	var reported int
	c, err := TakeCensus(context.Background(), src, "d", CensusOptions{}, func(CandidateCount) { reported++ })
	if err != nil {
		t.Fatal(err)
	}
	// Breadth first: each collection's first candidate, then each one's second.
	if want := []string{"orders:ref", "users:email", "orders:email", "users:whole document", "orders:whole document"}; !reflect.DeepEqual(src.asked, want) {
		t.Fatalf("counted in order %v, want %v", src.asked, want)
	}
	var got []string
	for _, r := range c.Results {
		s := r.NS.Coll + ":" + r.Key.String()
		if r.Err != nil {
			s = r.NS.Coll + ":" + string(r.Kind) + " error"
		}
		got = append(got, s)
	}
	if want := []string{"orders:ref", "users:email", "orders:whole document", "orders:email", "users:whole document", "broken:collection error"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("results by surplus %v, want %v", got, want)
	}
	var unscanned []string
	for _, u := range c.Unscanned {
		unscanned = append(unscanned, u.NS.Coll+": "+u.Reason)
	}
	if want := []string{"recent: view on orders: count that collection", "system.profile: system collection", "ticks: time-series collection"}; !reflect.DeepEqual(unscanned, want) {
		t.Fatalf("unscanned %v, want %v", unscanned, want)
	}
	if reported != len(c.Results) || !c.Complete() || c.Collections != 3 {
		t.Fatalf("reported %d of %d, complete %v, collections %d", reported, len(c.Results), c.Complete(), c.Collections)
	}

	// A document budget of 25 fits two counts of 10 documents: the rest is named, in order.
	src.asked = nil
	c, err = TakeCensus(context.Background(), src, "d", CensusOptions{Budget: Budget{Docs: 25}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"orders:email " + NotDoneDocs, "users:whole document " + NotDoneDocs, "orders:whole document " + NotDoneDocs}
	if got := notDoneNames(c.NotDone); !reflect.DeepEqual(got, want) || c.Complete() {
		t.Fatalf("not done %v, want %v", got, want)
	}

	// Cancelled before it starts: every collection is named as not looked at.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, err = TakeCensus(ctx, src, "d", CensusOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.NotDone) != 3 || c.NotDone[0].Kind != CandidateCollection || c.NotDone[0].Reason != NotDoneCancelled || len(c.Unscanned) != 3 {
		t.Fatalf("cancelled census: not done %v, unscanned %d", notDoneNames(c.NotDone), len(c.Unscanned))
	}
}
