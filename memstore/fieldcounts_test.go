package memstore

import (
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestDuplicateCountIsTheScans: on the demo data and the users fixture, every sampled field,
// loosened, sparse, compound and whole-document key counts what the scan finds.
func TestDuplicateCountIsTheScans(t *testing.T) {
	s := Demo()
	u, uns := users()
	stores := []struct {
		s  *Store
		ns model.Namespace
	}{{u, uns}}
	for _, ns := range []string{"shop.users", "shop.orders", "crm.contacts", "shop.products", "shop.imports"} {
		n, _ := model.ParseNamespace(ns)
		stores = append(stores, struct {
			s  *Store
			ns model.Namespace
		}{s, n})
	}
	compared := 0
	for _, st := range stores {
		fields, err := st.s.SampleFields(ctx, st.ns, 0)
		if err != nil {
			t.Fatal(err)
		}
		keys := []model.Key{{WholeDocument: true}}
		for _, f := range fields {
			keys = append(keys, model.Key{Fields: []string{f.Path}}, model.Key{Fields: []string{f.Path}, IgnoreCase: true, Trim: true},
				model.Key{Fields: []string{f.Path}, Sparse: true}, model.Key{Fields: []string{fields[0].Path, f.Path}})
		}
		for _, k := range keys {
			if len(k.Fields) == 2 && k.Fields[0] == k.Fields[1] {
				continue
			}
			want := model.CountGroups(scanAll(t, st.s, st.ns, k))
			got, err := st.s.DuplicateCount(ctx, st.ns, k)
			if err != nil {
				t.Fatalf("%s %s: %v", st.ns, k, err)
			}
			if got != want {
				t.Errorf("%s %s: count %+v, scan %+v", st.ns, k, got, want)
			}
			compared++
		}
	}
	if compared < 20 {
		t.Fatalf("only %d keys compared", compared)
	}
}

// TestDemoCensus: the demo's census counts its duplicate-laden collections, most surplus
// first, and lists the view, the time-series and the system collection without counting them.
func TestDemoCensus(t *testing.T) {
	s := Demo()
	c, err := s.Census(ctx, "shop", model.CensusOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Complete() || len(c.Results) == 0 {
		t.Fatalf("census: complete %v, %d results", c.Complete(), len(c.Results))
	}
	for i := 1; i < len(c.Results); i++ {
		if c.Results[i].Err == nil && c.Results[i].Count.Surplus > c.Results[i-1].Count.Surplus {
			t.Fatalf("not by surplus: %+v before %+v", c.Results[i-1], c.Results[i])
		}
	}
	if c.Results[0].Count.Surplus == 0 {
		t.Errorf("the demo's first result has no surplus: %+v", c.Results[0])
	}
	kinds := map[model.CollectionType]bool{}
	system := false
	for _, un := range c.Unscanned {
		kinds[un.Type] = true
		system = system || un.System()
		for _, r := range c.Results {
			if r.NS == un.NS {
				t.Errorf("%s was counted", un.NS)
			}
		}
	}
	if !kinds[model.TypeView] || !kinds[model.TypeTimeseries] || !system {
		t.Errorf("unscanned: %+v", c.Unscanned)
	}
	// The users' email index (not unique in the demo) is a candidate, counted as its scan.
	for _, r := range c.Results {
		if r.NS.Coll == "users" && r.Kind == model.CandidateIndex {
			want := model.CountGroups(scanAll(t, s, r.NS, r.Key))
			if r.Count != want {
				t.Errorf("index candidate %s: %+v, scan %+v", r.Key, r.Count, want)
			}
			return
		}
	}
	t.Errorf("no index candidate for shop.users: %+v", c.Results)
}
