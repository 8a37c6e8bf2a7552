package model

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// keygenCase is one case of testdata/keygen-cases.json (MongoDB's key-generator cases; their
// provenance is in testdata/keygen-cases.md). Documents and key patterns stay raw JSON: they
// hold repeated field names a map would lose.
type keygenCase struct {
	Name         string          `json:"name"`
	KeyPattern   json.RawMessage `json:"keyPattern"`
	Sparse       bool            `json:"sparse"`
	Doc          json.RawMessage `json:"doc"`
	Keys         [][]Value       `json:"keys"`
	Error        bool            `json:"error"`
	CollatorMock string          `json:"collatorMock"`
	Note         string          `json:"note"`
}

// casesFile is the repository's copy of shared/semantics/keygen-cases.json.
const casesFile = "testdata/keygen-cases.json"

// TestCasesMatchShared keeps the copy honest: where shared/ sits beside the clone, its cases
// must be the ones in testdata.
func TestCasesMatchShared(t *testing.T) {
	mine, err := os.ReadFile(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"../../shared/semantics", "../../../shared/semantics"}
	if d := os.Getenv("DUPES_SHARED"); d != "" { // as .ci/run: shared/ somewhere else
		dirs = append([]string{filepath.Join(d, "semantics")}, dirs...)
	}
	for _, dir := range dirs {
		theirs, err := os.ReadFile(filepath.Join(dir, "keygen-cases.json"))
		if err != nil {
			continue
		}
		if string(theirs) != string(mine) {
			t.Fatalf("%s differs from %s: copy the new cases into testdata", casesFile, dir)
		}
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and no shared/semantics beside the clone to compare testdata's copy with")
	}
	t.Skip("no shared/semantics beside the clone to compare testdata's copy with")
}

func loadCases(t *testing.T) (cases, mock []keygenCase) {
	t.Helper()
	raw, err := os.ReadFile(casesFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Count        int          `json:"count"`
		Cases        []keygenCase `json:"cases"`
		CollatorMock []keygenCase `json:"collatorMock"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) != file.Count || len(file.Cases) == 0 {
		t.Fatalf("the file says %d cases and holds %d", file.Count, len(file.Cases))
	}
	return file.Cases, file.CollatorMock
}

// patternFields reads a key pattern's field names in order, repeats kept.
func patternFields(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	n, err := parseDoc(raw)
	if err != nil {
		t.Fatal(err)
	}
	return n.keys
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// canonicalKeys renders a key set as sorted canonical text, so sets compare with ==.
func canonicalKeys(t *testing.T, keys []IndexKey) string {
	t.Helper()
	var out []string
	for _, k := range keys {
		var parts []string
		for _, v := range k {
			n, err := parseValue(v)
			if err != nil {
				t.Fatalf("value %s: %v", v, err)
			}
			parts = append(parts, render(n))
		}
		out = append(out, "["+strings.Join(parts, ",")+"]")
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func asIndexKeys(keys [][]Value) []IndexKey {
	out := make([]IndexKey, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// TestKeygenCases runs every case of MongoDB's key-generator tests, restated as data. The
// collatorMock cases use MongoDB's reverse-string test collator: the expected keys hold the
// collation keys, so they are compared by KeyID (actual under the mock, expected as bytes).
func TestKeygenCases(t *testing.T) {
	cases, mock := loadCases(t)
	passed := 0
	run := func(c keygenCase) {
		spec := KeySpec{Fields: patternFields(t, c.KeyPattern), Sparse: c.Sparse}
		if c.CollatorMock != "" {
			if c.CollatorMock != "reverseString" {
				t.Errorf("%s: unknown collator mock %q", c.Name, c.CollatorMock)
				return
			}
			spec.testCollator = reverse
		}
		got, err := IndexKeys(c.Doc, spec)
		switch {
		case c.Error:
			if !errors.Is(err, ErrUnindexable) {
				t.Errorf("%s: got keys %v, err %v; MongoDB refuses it (%s)", c.Name, got, err, c.Note)
				return
			}
		case err != nil:
			t.Errorf("%s: %v", c.Name, err)
			return
		case c.CollatorMock != "":
			if !sameIDs(spec, got, KeySpec{Fields: spec.Fields}, asIndexKeys(c.Keys)) {
				t.Errorf("%s: got %v, want (as collation keys) %v", c.Name, got, c.Keys)
				return
			}
		default:
			if g, w := canonicalKeys(t, got), canonicalKeys(t, asIndexKeys(c.Keys)); g != w {
				t.Errorf("%s: got %s, want %s", c.Name, g, w)
				return
			}
		}
		passed++
	}
	for _, c := range cases {
		run(c)
	}
	for _, c := range mock {
		run(c)
	}
	t.Logf("%d of %d key-generator cases pass (%d collator-mock)", passed, len(cases)+len(mock), len(mock))
}

func sameIDs(sa KeySpec, a []IndexKey, sb KeySpec, b []IndexKey) bool {
	ids := func(s KeySpec, ks []IndexKey) string {
		var out []string
		for _, k := range ks {
			out = append(out, s.KeyID(k))
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	return len(a) == len(b) && ids(sa, a) == ids(sb, b)
}
