package ui

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// scanStore reads a whole scan from the demo store, as dupes plan reads one from a server.
func scanStore(t *testing.T, st *memstore.Store, ns model.Namespace, k model.Key) []model.Group {
	t.Helper()
	cur, err := st.Scan(context.Background(), ns, k)
	if err != nil {
		t.Fatal(err)
	}
	var all []model.Group
	for {
		gs, err := cur.NextBatch(context.Background(), 1000)
		all = append(all, gs...)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// plannerPlan is what `dupes plan --keep RULE` plans for the data: scan, keepers, BuildPlan.
func plannerPlan(t *testing.T, ns model.Namespace, k model.Key, rule model.KeepRule, opts model.PlanOptions) (model.PlanResult, int) {
	t.Helper()
	st := memstore.Demo()
	groups := scanStore(t, st, ns, k)
	keep, err := st.Keepers(context.Background(), ns, rule, groups)
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]model.Choice, len(groups))
	for i := range cs {
		cs[i] = model.Choice{Keep: keep[i], How: model.ByRule}
	}
	first := make([]model.Choice, len(groups))
	for i := range first {
		first[i].How = model.ByRule
	}
	return model.BuildPlan(groups, cs, opts), model.BuildPlan(groups, first, opts).Deletes()
}

// The demo's users without an email ("Guest", "Guest 2", "test") are different people: r ->
// first must not delete any of them; m includes them, on purpose.
func TestRuleLeavesDocumentsLackingTheKeyAlone(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.wantView("⚑ 3 documents lack email: left alone")
	h.keys("r", "enter", "D")
	h.wantScreen(scrReview)
	h.wantView("11 documents", "⚑ 3 documents lack email: left alone")
	for _, g := range reviewedPlan(h).Groups {
		if (model.Group{Key: g.Key}).LacksKey() {
			t.Fatalf("the plan deletes documents lacking the key: %+v", g)
		}
	}
	h.keys("enter")
	h.typ("shop.users")
	h.keys("enter")
	h.wantScreen(scrDone)
	names := map[model.Value]bool{}
	for _, d := range h.store.Docs(ns("shop.users")) {
		names[d.Get("name")] = true
	}
	for _, n := range []model.Value{`"Guest"`, `"Guest 2"`, `"test"`} {
		if !names[n] {
			t.Errorf("%s was deleted", n)
		}
	}
	// The offered index is the partial one, and it builds while the three remain.
	h.wantView("partial: documents lacking the key are left out")
	h.keys("x", "y")
	h.wantView("✓ Unique index email_1_present built")

	// Opted in with m: the lacking group is decided like the others.
	h = openGroups(t, "shop.users", "email", nil)
	h.keys("?")
	h.wantView("include documents lacking the key") // m is offered: documents lack the key
	h.keys("?", "r", "enter", "m")
	h.wantView("⚑ 3 documents lacking email are included", "decided 9 (0 by hand) · skipped 0 · undecided 0 · delete 13")
	h.wantView("9 groups · 13 surplus")
	h.keys("D")
	h.wantView("13 documents", "are included")
	p := reviewedPlan(h)
	if !p.DeleteMissing || p.Deletes() != 13 {
		t.Fatalf("opted-in plan: deleteMissing %v, %d deletes", p.DeleteMissing, p.Deletes())
	}
	if _, err := model.EncodePlan(p); err != nil {
		t.Fatalf("the opted-in plan does not encode: %v", err)
	}
}

// Same data, same key, same rule: the TUI's plan and counts are the model planner's, also
// under an array key where documents sit in several groups (the demo's tags).
func TestTUIPlanIsThePlannersPlan(t *testing.T) {
	for _, tc := range []struct{ ns, key, rule string }{
		{"shop.users", "tags", "first"},
		{"shop.users", "email", "last"},
		{"crm.contacts", "lastName,firstName,birthDate", "first"},
	} {
		want, surplus := plannerPlan(t, ns(tc.ns), model.Key{Fields: strings.Split(tc.key, ",")}, mustRule(t, tc.rule), model.PlanOptions{})
		h := openGroups(t, tc.ns, tc.key, nil)
		got, exact := h.m.sess.surplusShown()
		if !exact || got != surplus {
			t.Errorf("%s %s: surplus shown %d (exact %v), planner %d", tc.ns, tc.key, got, exact, surplus)
		}
		// Never more surplus than documents that can go: each group keeps one.
		distinct := map[model.Value]bool{}
		for _, g := range h.m.sess.groups {
			if !g.LacksKey() {
				for _, id := range g.IDs {
					distinct[id] = true
				}
			}
		}
		if len(distinct) > 0 && got > len(distinct)-1 {
			t.Errorf("%s %s: surplus %d exceeds the %d documents of the groups", tc.ns, tc.key, got, len(distinct))
		}
		h.keys("r")
		h.cursorTo(mustRule(t, tc.rule).Def().Menu)
		h.keys("enter", "D")
		p := reviewedPlan(h)
		if p.Unprinted() != 0 {
			t.Errorf("%s %s %s: %d groups of the TUI's plan record no fingerprints", tc.ns, tc.key, tc.rule, p.Unprinted())
		}
		if !reflect.DeepEqual(unprinted(p).Groups, want.Groups) {
			t.Errorf("%s %s %s: TUI plan\n%+v\nplanner\n%+v", tc.ns, tc.key, tc.rule, p.Groups, want.Groups)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s %s: the TUI's plan is invalid: %v", tc.ns, tc.key, err)
		}
		h.wantView(plural(want.Deletes(), "document", "documents"))
	}
}

func mustRule(t *testing.T, s string) model.KeepRule {
	t.Helper()
	r, err := model.ParseKeepRule(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// dupes --ns shop.users --key emial: refused with a did-you-mean, nothing scanned.
func TestMisspelledKeyFlagIsRefused(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS, c.Key = "shop.users", model.Key{Fields: []string{"emial"}} })
	h.wantScreen(scrKey)
	h.wantView("no sampled document has emial; did you mean email?")
	if h.m.sess != nil {
		t.Fatal("a scan started on a field no document has")
	}
	h = newHarness(t, func(c *Config) {
		c.NS, c.Key, c.AllowMissingField = "shop.users", model.Key{Fields: []string{"emial"}}, true
	})
	h.wantScreen(scrGroups)
	h.wantView("0 groups · 0 surplus documents", "⚑ 33 documents lack emial")
}

// max:prise (misspelled) is refused, not a silent "keep the smallest _id".
func TestRuleFieldNoMemberHasIsRefused(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", nil)
	h.keys("r", "down", "down", "enter")
	h.typ("totl")
	h.keys("enter")
	h.wantView("no member of any group has totl; did you mean total?")
	if h.m.sess.decided() != 0 || h.m.sess.ruleSet {
		t.Fatalf("the refused rule decided %d groups", h.m.sess.decided())
	}
}

// shardedStore is the demo store on a sharded collection: there is no sharded engine here.
type shardedStore struct {
	*memstore.Store
	key model.ShardKey
}

func (s shardedStore) ShardKey(context.Context, model.Namespace) (model.ShardKey, error) {
	return s.key, nil
}

// On a sharded collection the offered index starts with the shard key, or is refused with the
// reason, and the review says so before the typed confirmation.
func TestShardedCollectionIndexOffer(t *testing.T) {
	for _, tc := range []struct {
		shard model.ShardKey
		want  []string
	}{
		{model.ShardKey{Fields: []string{"tenant"}}, []string{"none can be offered", "sharded on {tenant: 1}"}},
		{model.ShardKey{Fields: []string{"orderNo"}}, []string{"unique index orderNo_1_present on orderNo"}},
	} {
		st := memstore.Demo()
		h := newHarness(t, func(c *Config) {
			c.NS, c.Key = "shop.orders", model.Key{Fields: []string{"orderNo"}}
			c.Connect = func(context.Context, string) (Store, error) { return shardedStore{st, tc.shard}, nil }
		})
		h.wantScreen(scrGroups)
		h.keys("r", "enter", "D")
		h.wantView(tc.want...)
		h.keys("enter")
		h.typ("shop.orders")
		h.keys("enter")
		h.wantScreen(scrDone)
		offered := strings.Contains(helpLine(h.m.View()), "x create unique index")
		if tc.shard.Fields[0] == "tenant" {
			h.wantView("No unique index can be offered", "sharded on {tenant: 1}")
			if offered {
				t.Fatal("x is offered although no index can be built")
			}
		} else if !offered {
			t.Fatal("no index offered on a collection sharded on the key itself")
		}
	}
}

// The counts follow the decisions through the planner, in Cmds: a stale answer does not
// overwrite a newer one, but its surplus (which depends on the groups only) is kept.
func TestPreviewTakesOnlyTheLatestDecisions(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", nil)
	s := h.m.sess
	s.decide(0, 1, byHand)
	stale := s.previewIfStale()
	s.decide(1, 1, byHand)
	fresh := s.previewIfStale()
	if stale == nil || fresh == nil {
		t.Fatal("no preview started for a new decision")
	}
	h.send(fresh())
	want := s.preview.Deletes()
	h.send(stale())
	if s.preview.Deletes() != want || s.previewed != s.previewSeq {
		t.Fatalf("a stale preview replaced the latest: %d deletes, seq %d of %d", s.preview.Deletes(), s.previewed, s.previewSeq)
	}
	if sp, exact := s.surplusShown(); !exact || sp != 8 {
		t.Fatalf("surplus %d exact %v, want 8", sp, exact)
	}
}
