package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
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
			if _, errOut, st := dupes(t, "apply", "--uri", f.uri, "--plan", planFile, "--backup", wholeBk, "--yes"); st != 0 {
				t.Fatalf("apply: %s", errOut)
			}
			dry, errOut, st := dupes(t, append(append([]string{"resolve"}, base("streamed")...), "--dry-run")...)
			if st != 0 {
				t.Fatalf("resolve --dry-run: %s", errOut)
			}
			counts := planOut[strings.Index(planOut, "plan for"):strings.Index(planOut, "plan written")]
			counts = strings.ReplaceAll(counts, f.ns("whole"), f.ns("streamed"))
			mustContain(t, "resolve --dry-run", dry, counts)
			out, errOut, st := dupes(t, append(append([]string{"resolve"}, base("streamed")...), "--backup", streamBk, "--yes")...)
			if st != 0 {
				t.Fatalf("resolve: %s%s", out, errOut)
			}
			if w, s := f.ids("whole"), f.ids("streamed"); w != s {
				t.Errorf("survivors: whole plan %s, streamed %s", w, s)
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
