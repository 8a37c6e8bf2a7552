package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// streamData is a collection that spans several chunks of a streamed resolve (streamChunk is
// lowered to 7): 40 plain groups of 2 to 4, documents lacking the key, and documents holding
// arrays whose groups overlap (planned together at the end). n, the max: rule's field, is
// missing from the first groups (first 30 documents) and the documents lacking the key, unless
// everywhere is set.
func streamData(f fixture, coll string, everywhere bool) {
	var docs []map[string]any
	id := 0
	add := func(k any) {
		d := map[string]any{"_id": id}
		if k != nil {
			d["k"] = k
		}
		if everywhere || (id >= 30 && k != nil) {
			d["n"] = (id * 7) % 11
		}
		if id%5 == 1 {
			d["x"] = id // what a merge gives a keeper lacking it
		}
		docs = append(docs, d)
		id++
	}
	for g := 0; g < 40; g++ {
		for m := 0; m < 2+g%3; m++ {
			add(g)
		}
	}
	for i := 0; i < 3; i++ {
		add(nil) // lacking the key
	}
	add([]any{100, 101})
	add([]any{101, 102})
	add(100)
	add(102)
	add([]any{5, 100}) // overlaps a plain group's value: that group is planned at the end too
	f.insert(coll, docs...)
}

// docs is the collection's documents in _id order, as canonical Extended JSON with fields
// in name order.
func (f fixture) docs(coll string) string {
	f.t.Helper()
	cur, err := mongotest.Client(f.t).Database(f.db).Collection(coll).Find(context.Background(), bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for cur.Next(context.Background()) {
		// Fields in name order: the fixture inserts maps, whose order is random.
		js, err := bson.MarshalExtJSON(cur.Current, true, false)
		var m map[string]any
		if err == nil {
			err = json.Unmarshal(js, &m)
		}
		if err == nil {
			js, err = json.Marshal(m)
		}
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, string(js))
	}
	if err := cur.Err(); err != nil {
		f.t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// backupIDs lists the _ids in the .bson backups of a directory, sorted.
func backupIDs(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.bson"))
	var ids []string
	for _, p := range files {
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		br := mongo.NewBackupReader(fh, p)
		for {
			d, err := br.Next()
			if err != nil {
				break
			}
			ids = append(ids, d.Lookup("_id").String())
		}
		fh.Close()
	}
	sort.Strings(ids)
	return strings.Join(ids, " ")
}

func manifests(t *testing.T, dir string) []mongo.Manifest {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []mongo.Manifest
	for _, p := range files {
		m, err := mongo.ReadManifest(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestStreamedResolveMatchesWholePlan: resolve, streamed over several chunks, leaves the same
// documents and backs up the same ones as plan then apply (the whole-plan path), under the
// missing-key policy and with a rule that reads documents; its dry run counts the same plan.
func TestStreamedResolveMatchesWholePlan(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 7
	for _, c := range []struct {
		name       string
		everywhere bool
		streamed   bool // false: the rule's field is in no member of the first chunk, so resolve plans whole
		args       []string
	}{
		{"first", true, true, []string{"--keep", "first"}},
		{"max", true, true, []string{"--keep", "max:n"}},
		{"delete-missing", true, true, []string{"--keep", "last", "--delete-missing"}},
		{"field-later", false, false, []string{"--keep", "max:n"}},
		{"merge", true, true, []string{"--keep", "first", "--merge"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			streamData(f, "whole", c.everywhere)
			streamData(f, "streamed", c.everywhere)
			dir := t.TempDir()
			planFile, wholeBk, streamBk := filepath.Join(dir, "plan.json"), filepath.Join(dir, "w"), filepath.Join(dir, "s")
			base := func(coll string) []string {
				return append([]string{"--uri", f.uri, "--ns", f.ns(coll), "--key", "k"}, c.args...)
			}
			planOut, errOut, st := dupes(t, append(append([]string{"plan"}, base("whole")...), "--out", planFile)...)
			if st != 0 {
				t.Fatalf("plan: %s", errOut)
			}
			apply := []string{"apply", "--uri", f.uri, "--plan", planFile, "--backup", wholeBk, "--yes"}
			if c.name == "merge" {
				apply = append(apply, "--merge")
			}
			if _, errOut, st := dupes(t, apply...); st != 0 {
				t.Fatalf("apply: %s", errOut)
			}
			dry, errOut, st := dupes(t, append(append([]string{"resolve"}, base("streamed")...), "--dry-run")...)
			if st != 0 {
				t.Fatalf("resolve --dry-run: %s", errOut)
			}
			// The same summary; a merge preview aside, which looks at the first chunk (the
			// first 5000 groups, 7 here) where plan looks at the first 30, and plan's line on
			// the versions it recorded: a dry run reads no documents to fingerprint.
			summary := func(out string) string {
				var keep []string
				for _, l := range strings.Split(out, "\n") {
					if !strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "plan written") && !strings.HasPrefix(l, "dry run") &&
						!strings.HasPrefix(l, "the plan records the version") {
						keep = append(keep, l)
					}
				}
				return strings.Join(keep, "\n")
			}
			if w, s := summary(strings.ReplaceAll(planOut, f.ns("whole"), f.ns("streamed"))), summary(dry); w != s {
				t.Errorf("summary: plan says\n%s\nresolve --dry-run says\n%s", w, s)
			}
			out, errOut, st := dupes(t, append(append([]string{"resolve"}, base("streamed")...), "--backup", streamBk, "--yes")...)
			if st != 0 {
				t.Fatalf("resolve: %s%s", out, errOut)
			}
			if w, s := f.docs("whole"), f.docs("streamed"); w != s {
				t.Errorf("survivors: whole plan\n%s\nstreamed\n%s", w, s)
			}
			if w, s := backupIDs(t, wholeBk), backupIDs(t, streamBk); w != s || w == "" {
				t.Errorf("backed up: whole plan %s, streamed %s", w, s)
			}
			ms := manifests(t, streamBk)
			if len(ms) != 1 || ms[0].Streamed != c.streamed || ms[0].Status != mongo.RunDone {
				t.Errorf("manifests %+v, want one, done, streamed %v", ms, c.streamed)
			}
			if c.streamed && (ms[0].Counts.Groups < 2*streamChunk || fmt.Sprint(ms[0].Counts.Deleted) != fmt.Sprint(strings.Count(backupIDs(t, streamBk), " ")+1)) {
				t.Errorf("manifest counts %+v: want several chunks, every backed-up document deleted", ms[0].Counts)
			}
		})
	}
}

// TestStoppedStreamSaysItsCountsArePartial: a streamed resolve that stops before the end of
// its scan (a full disk, an error, ctrl+c) has planned only its first chunks: it says so, and
// its JSON marks the plan incomplete, instead of printing those counts as the collection's.
func TestStoppedStreamSaysItsCountsArePartial(t *testing.T) {
	var out bytes.Buffer
	o, err := newRunOutput("resolve", "text", "mongodb://h/", false, &out)
	if err != nil {
		t.Fatal(err)
	}
	s := &streamResolve{stderr: io.Discard, head: model.Plan{NS: model.Namespace{DB: "shop", Coll: "users"}},
		groups: 5000, deletes: 9000}
	s.print(&out, o, model.Report{}, errors.New("write the backup: no space left on device"))
	if !strings.Contains(out.String(), "stopped before it planned the whole scan: 5000 groups planned so far") ||
		strings.Contains(out.String(), "5000 groups: keep one document each") {
		t.Fatalf("a stopped stream's counts read as the whole plan:\n%s", out.String())
	}
	if !o.obj.Plan.Incomplete {
		t.Fatal("the JSON does not mark the plan incomplete")
	}
	out.Reset()
	s.whole = true
	s.print(&out, o, model.Report{}, nil)
	if !strings.Contains(out.String(), "5000 groups: keep one document each, delete 9000") {
		t.Fatalf("a whole stream's counts:\n%s", out.String())
	}
}
