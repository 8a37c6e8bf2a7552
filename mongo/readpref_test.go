package mongo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"github.com/dupes-tui/dupes/mongo/mongotest/rsproxy"
)

// dialSet starts a scripted replica set in front of the live server and connects the adapter
// to it with opt, closing the client when the test ends.
func dialSet(t *testing.T, opt mongo.Options, uriOptions ...string) (*rsproxy.Proxy, *mongo.Client) {
	t.Helper()
	p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: 3})
	uri := p.URI()
	for _, o := range uriOptions {
		uri += "&" + o
	}
	c, err := mongo.Connect(context.Background(), uri, opt)
	if err != nil {
		t.Fatalf("connect to the scripted replica set: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return p, c
}

// seen lists the commands named cmd on collection coll (any when "").
func seen(p *rsproxy.Proxy, cmd, coll string) []rsproxy.Seen {
	var out []rsproxy.Seen
	for _, s := range p.Commands() {
		if s.Command == cmd && (coll == "" || s.Coll == coll) {
			out = append(out, s)
		}
	}
	return out
}

// onSecondary asserts that every one of ss went to a secondary with mode, and that there was one.
func onSecondary(t *testing.T, what string, ss []rsproxy.Seen, mode string) {
	t.Helper()
	if len(ss) == 0 {
		t.Fatalf("%s: no such command was sent", what)
	}
	for _, s := range ss {
		if s.Member == 0 || s.ReadPref != mode {
			t.Errorf("%s went to the primary, or without $readPreference %s: %s", what, mode, s)
		}
	}
}

// onPrimary asserts that every one of ss went to the primary as a primary read (no
// $readPreference, which the driver sends for no other mode), and that there was one.
func onPrimary(t *testing.T, what string, ss []rsproxy.Seen) {
	t.Helper()
	if len(ss) == 0 {
		t.Fatalf("%s: no such command was sent", what)
	}
	for _, s := range ss {
		if s.Member != 0 || s.ReadPref != "" {
			t.Errorf("%s did not go to the primary as a primary read: %s", what, s)
		}
	}
}

// With --read-preference secondaryPreferred, the scan, the sample, the reads of members and
// their fingerprints go to a secondary; the run's guard re-reads, deletes, lease and check
// after the run go to the primary, deletes with majority write concern.
func TestReadPreferenceSendsReadsToASecondaryAndTheRunToThePrimary(t *testing.T) {
	ctx := context.Background()
	db := mongotest.DB(t).Name()
	users(t, db, 3, 3)
	p, c := dialSet(t, mongo.Options{ReadPreference: "secondaryPreferred", Command: "resolve"})
	if got := c.ReadPreference(); got != "secondaryPreferred" {
		t.Fatalf("ReadPreference() = %q", got)
	}
	ns := model.Namespace{DB: db, Coll: "users"}
	key := model.Key{Fields: []string{"email"}}
	p.Reset()
	plan := planFor(t, c, ns, key)
	onSecondary(t, "the scan's aggregate", seen(p, "aggregate", "users"), "secondaryPreferred")
	p.Reset()
	if _, err := c.SampleFields(ctx, ns, 0); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.HoldsField(ctx, ns, "email"); err != nil || !ok {
		t.Fatalf("HoldsField: %v %v", ok, err)
	}
	var groups []model.Group
	for _, g := range plan.Groups {
		groups = append(groups, model.Group{Key: g.Key, IDs: append([]model.Value{g.Keep}, g.Delete...)})
	}
	if _, _, prints, err := c.KeepersPrinted(ctx, ns, model.KeepRule{Kind: model.KeepFirst}, groups); err != nil || len(prints) != 9 {
		t.Fatalf("KeepersPrinted: %d fingerprints, %v", len(prints), err)
	}
	if _, err := c.FetchDocs(ctx, ns, groups[0].IDs); err != nil {
		t.Fatal(err)
	}
	onSecondary(t, "the sample", seen(p, "aggregate", "users"), "secondaryPreferred")
	onSecondary(t, "the finds of HoldsField, the fingerprints and FetchDocs", seen(p, "find", "users"), "secondaryPreferred")

	p.Reset()
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	if rep.Deleted != 6 {
		t.Fatalf("deleted %d, want 6", rep.Deleted)
	}
	onPrimary(t, "the guard's re-reads and the check after the run", seen(p, "find", "users"))
	onPrimary(t, "the deletes", seen(p, "delete", "users"))
	for _, s := range seen(p, "delete", "users") {
		if w, _ := s.Body.Lookup("writeConcern", "w").StringValueOK(); w != "majority" {
			t.Errorf("a delete without majority write concern: %s", s.Body)
		}
	}
	for _, s := range p.Commands() {
		if s.Coll == mongo.LeaseCollection && s.Member != 0 {
			t.Errorf("the lease was read or written off the primary: %s", s)
		}
	}
	if len(seen(p, "aggregate", "users")) != 0 {
		t.Errorf("the run scanned: %v", seen(p, "aggregate", "users"))
	}

	p.Reset()
	if _, err := c.Restore(ctx, rep.BackupPath, mongo.RestoreOptions{NS: ns}); err != nil {
		t.Fatalf("restore: %v", err)
	}
	onPrimary(t, "the restore's reads", seen(p, "find", "users"))
	onPrimary(t, "the restore's inserts", seen(p, "insert", "users"))
}

// Without the option the URI's readPreference holds; the option overrides it; neither means
// primary.
func TestReadPreferenceFromTheURI(t *testing.T) {
	db := mongotest.DB(t).Name()
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	key := model.Key{Fields: []string{"email"}}
	for _, tc := range []struct {
		name, option, uri string
		secondary         bool
	}{
		{"URI secondary", "", "readPreference=secondary", true},
		{"option over URI", "primary", "readPreference=secondary", false},
		{"option alone", "nearest", "", true},
		{"neither", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var extra []string
			if tc.uri != "" {
				extra = append(extra, tc.uri)
			}
			p, c := dialSet(t, mongo.Options{ReadPreference: tc.option}, extra...)
			p.Reset()
			scanAll(t, c, ns, key)
			aggs := seen(p, "aggregate", "users")
			if len(aggs) != 1 {
				t.Fatalf("%d aggregates, want 1", len(aggs))
			}
			// nearest may pick the primary: only its mode is certain.
			switch s := aggs[0]; {
			case tc.option == "nearest":
				if s.ReadPref != "nearest" {
					t.Errorf("scan: %s, want readPreference nearest", s)
				}
			case tc.secondary:
				onSecondary(t, "the scan", aggs, "secondary")
			default:
				onPrimary(t, "the scan", aggs)
			}
		})
	}
}

// A mode that is no read preference is refused before anything connects.
func TestReadPreferenceRefusesUnknownModes(t *testing.T) {
	for _, m := range []string{"secondaryPreferred", "NEAREST", ""} {
		if err := mongo.CheckReadPreference(m); err != nil {
			t.Errorf("CheckReadPreference(%q): %v", m, err)
		}
	}
	err := mongo.CheckReadPreference("secondry")
	if err == nil || !strings.Contains(err.Error(), "secondaryPreferred") {
		t.Fatalf("CheckReadPreference(secondry) = %v, want a refusal listing the modes", err)
	}
	_, err = mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{ReadPreference: "secondry"})
	if err == nil || !strings.Contains(err.Error(), "--read-preference") {
		t.Fatalf("Connect with a bad mode: %v", err)
	}
}
