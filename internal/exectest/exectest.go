// Package exectest is the executor contract: one suite that every store's Execute must pass,
// the server's (package mongo, on both test engines) and the demo store's (memstore), so the
// UI's tests, which run on the demo store, see what a DBA sees after a real run: the same
// outcomes, the same skip reasons (model/reasons.go), the same backups.
package exectest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// Store is what the contract drives: a store's own calls (Scan, FetchDocs, Execute) and the
// few hooks a test needs to change documents behind a plan's back.
type Store interface {
	// Seed creates ns holding docs, in order.
	Seed(t *testing.T, ns model.Namespace, docs []model.Doc)
	// Groups is the scan of ns by key, every group.
	Groups(t *testing.T, ns model.Namespace, key model.Key) []model.Group
	FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error)
	// Execute runs the plan with a fresh backup folder.
	Execute(t *testing.T, plan model.Plan) (model.Report, error)
	// Set writes one top-level field of a document, as another client would.
	Set(t *testing.T, ns model.Namespace, id model.Value, field string, v model.Value)
	// Remove deletes a document, as another client would.
	Remove(t *testing.T, ns model.Namespace, id model.Value)
	// IDs lists the _ids ns holds now.
	IDs(t *testing.T, ns model.Namespace) []model.Value
	// BackedUp lists the _ids of the documents a run's backup holds.
	BackedUp(t *testing.T, rep model.Report) []model.Value
}

// ids of several BSON types, so no store passes by treating every _id as an ObjectId.
var ids = []model.Value{
	`{"$numberInt":"7"}`,
	`"seven"`,
	`{"$oid":"65f000000000000000000007"}`,
	`{"$binary":{"base64":"AAAAAAAAQACAAAAAAAAABw==","subType":"04"}}`,
	`{"$numberDouble":"7.5"}`,
	`{"$date":{"$numberLong":"1700000000007"}}`,
	`{"$timestamp":{"t":7,"i":1}}`,
	`{"$numberLong":"8"}`,
}

func str(s string) model.Value { return model.Value(fmt.Sprintf("%q", s)) }

// Run is the contract. Each case seeds a collection of groups of two or three members under
// the key "email", plans to keep each group's first member (by _id, MongoDB's order), changes
// some documents after the plan, runs it, and compares the report and the collection with
// what any store must do.
func Run(t *testing.T, s Store, db string) {
	cases := []struct {
		name string
		// change acts on the plan's groups after the plan is made.
		change func(t *testing.T, ns model.Namespace, p model.Plan)
		// skipped is SkippedBy as the report must count it (a group whose keeper fails is
		// skipped whole).
		skipped map[string]int
		deleted int
	}{
		{name: "untouched", deleted: 4},
		{name: "member gone", deleted: 3, skipped: map[string]int{"gone": 1},
			change: func(t *testing.T, ns model.Namespace, p model.Plan) { s.Remove(t, ns, p.Groups[0].Delete[0]) }},
		{name: "keeper gone", deleted: 2, skipped: map[string]int{"keeper gone": 2},
			change: func(t *testing.T, ns model.Namespace, p model.Plan) { s.Remove(t, ns, p.Groups[1].Keep) }},
		{name: "member key changed", deleted: 3, skipped: map[string]int{"key changed": 1},
			change: func(t *testing.T, ns model.Namespace, p model.Plan) {
				s.Set(t, ns, p.Groups[2].Delete[0], "email", str("elsewhere@x.com"))
			}},
		{name: "keeper key changed", deleted: 2, skipped: map[string]int{"keeper changed": 2},
			change: func(t *testing.T, ns model.Namespace, p model.Plan) {
				s.Set(t, ns, p.Groups[1].Keep, "email", str("elsewhere@x.com"))
			}},
		{name: "member changed since the plan", deleted: 3, skipped: map[string]int{"changed since the plan": 1},
			change: func(t *testing.T, ns model.Namespace, p model.Plan) {
				s.Set(t, ns, p.Groups[0].Delete[0], "note", str("edited after the plan"))
			}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ns := model.Namespace{DB: db, Coll: fmt.Sprintf("contract%d", i)}
			s.Seed(t, ns, seed())
			plan := planFirst(t, s, ns)
			if tc.change != nil {
				tc.change(t, ns, plan)
			}
			before := s.IDs(t, ns)
			rep, err := s.Execute(t, plan)
			if err != nil {
				t.Fatalf("execute: %v", err)
			}
			if rep.Deleted != tc.deleted {
				t.Errorf("deleted %d, want %d (report %+v)", rep.Deleted, tc.deleted, rep)
			}
			if !maps.Equal(rep.SkippedBy, tc.skipped) {
				t.Errorf("skipped by reason %v, want %v", rep.SkippedBy, tc.skipped)
			}
			for _, g := range rep.Groups {
				for _, sk := range g.Skipped {
					if !slices.Contains(reasons, sk.Reason) {
						t.Errorf("skip reason %q is not one of model's", sk.Reason)
					}
				}
			}
			after := s.IDs(t, ns)
			gone := minus(before, after)
			backed := s.BackedUp(t, rep)
			if len(gone) != rep.Deleted {
				t.Errorf("%d documents left the collection, the report says %d deleted", len(gone), rep.Deleted)
			}
			for _, id := range gone {
				if !slices.Contains(backed, id) {
					t.Errorf("%s was deleted but is not in the backup", id)
				}
				for _, g := range plan.Groups {
					if g.Keep == id {
						t.Errorf("the keeper %s was deleted", id)
					}
				}
			}
		})
	}
}

// reasons are every skip reason a store may report (model/reasons.go).
var reasons = []string{model.ReasonGone, model.ReasonKeyChanged, model.ReasonKeeperGone,
	model.ReasonKeeperChanged, model.ReasonFiltered, model.ReasonUnkeyable, model.ReasonChanged,
	model.ReasonUnequal, model.ReasonChangedSincePlan, model.ReasonKeeperChangedSincePlan,
	model.ReasonTooLarge, model.ReasonMultikey}

// seed is three groups under email (sizes 2, 3 and 2) and one document alone, their _ids of
// different types.
func seed() []model.Doc {
	emails := []string{"a@x.com", "b@x.com", "a@x.com", "c@x.com", "b@x.com", "b@x.com", "lone@x.com", "c@x.com"}
	docs := make([]model.Doc, len(ids))
	for i, id := range ids {
		docs[i] = model.Doc{ID: id, Fields: []model.Field{{Path: "email", Value: str(emails[i])}}}
	}
	return docs
}

// planFirst plans to keep each group's first member, stamping the versions read as a plan
// made in the TUI or by dupes plan does.
func planFirst(t *testing.T, s Store, ns model.Namespace) model.Plan {
	t.Helper()
	key := model.Key{Fields: []string{"email"}}
	p := model.Plan{Version: model.PlanVersion, NS: ns, Key: key, Rule: "first"}
	var all []model.Value
	for _, g := range s.Groups(t, ns, key) {
		p.Groups = append(p.Groups, model.Decide(g, 0, model.ByRule))
		all = append(all, g.IDs...)
	}
	if len(p.Groups) != 3 {
		t.Fatalf("the scan found %d groups, want 3: %v", len(p.Groups), p.Groups)
	}
	docs, err := s.FetchDocs(context.Background(), ns, all)
	if err != nil {
		t.Fatal(err)
	}
	prints := map[model.Value]model.Fingerprint{}
	for _, d := range docs {
		prints[d.ID] = d.Fingerprint
	}
	for i := range p.Groups {
		g := &p.Groups[i]
		g.KeepFingerprint = prints[g.Keep]
		for _, id := range g.Delete {
			if prints[id] == "" {
				t.Fatalf("no fingerprint read for %s", id)
			}
			g.DeleteFingerprints = append(g.DeleteFingerprints, prints[id])
		}
	}
	return p
}

func minus(a, b []model.Value) []model.Value {
	var out []model.Value
	for _, v := range a {
		if !slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}
