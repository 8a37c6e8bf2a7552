package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func TestScanTable(t *testing.T) {
	f := newFixture(t)
	f.insert("users",
		map[string]any{"_id": 1, "email": "a@x.com"},
		map[string]any{"_id": 2, "email": "a@x.com"},
		map[string]any{"_id": 3, "email": "b@x.com"},
		map[string]any{"_id": 4},
		map[string]any{"_id": 5, "email": nil},
		map[string]any{"_id": 6, "email": "A@X.com"},
	)
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "scan table", out,
		"namespace: "+f.ns("users"), "key:       email", "semantics: exact; missing = null",
		"COUNT  EMAIL      IDS", `2      "a@x.com"  1, 2`, "2      null       4, 5  ⚑ lacks key: left alone",
		// The documents lacking the email are not surplus: no plan deletes them by default.
		"1 groups, 2 documents, 1 surplus (16.7% of about 6 documents)",
		"2 documents lack email (every key field missing or null): not counted as surplus")

	out, _, _ = dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--ignore-case")
	mustContain(t, "ignore-case scan", out, "semantics: exact; missing = null; ignore case", `3      "a@x.com"  1, 2, 6`)

	out, _, _ = dupes(t, "scan", f.uri, "--ns", f.ns("users"), "--key", "email", "--filter", `{"email": {"$exists": true}}`)
	mustContain(t, "filtered scan (URI as argument)", out, `filter {"email": {"$exists": true}}`, `2      "a@x.com"  1, 2`, "1 groups, 2 documents, 1 surplus")

	out, _, _ = dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--filter", `{"_id": {"$gt": 100}}`)
	mustContain(t, "empty scan", out, "no duplicates.")
}

func TestScanJSONShape(t *testing.T) {
	f := newFixture(t)
	f.insert("people",
		map[string]any{"_id": 1, "last": "Lee", "city": "Oslo"},
		map[string]any{"_id": 2, "last": "Lee", "city": "Oslo"},
		map[string]any{"_id": 3, "last": "Lee", "city": "Rome"},
	)
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("people"), "--key", "last,city", "--format", "json")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	// The documented shape, key order included.
	want := fmt.Sprintf(`{"ns":%q,"key":["last","city"],"semantics":"exact; missing = null",`+
		`"summary":{"groups":1,"documents":2,"surplus":1,"lackingKey":0},`+
		`"groups":[{"key":["Lee","Oslo"],"count":2,"ids":[{"$numberInt":"1"},{"$numberInt":"2"}]}]}`+"\n", f.ns("people"))
	if out != want {
		t.Errorf("scan --format json:\n got %s\nwant %s", out, want)
	}
	out, _, _ = dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("people"), "--key", "last,city", "--format", "json", "--filter", `{"city":"Paris"}`)
	if !strings.Contains(out, `"groups":[]`) {
		t.Errorf("no groups must be an empty array, not null: %s", out)
	}
}

// TestScanLargeCollection: 20 000 documents, about 3 000 duplicate groups; the summary must
// match a count computed here from the inserted data, independently of the server.
func TestScanLargeCollection(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(7, 11))
	const total = 20_000
	var docs []map[string]any
	for i := range total {
		d := map[string]any{"_id": i}
		switch r := rng.IntN(100); {
		case r < 1:
			// no email: the null group
		case r < 59:
			d["email"] = fmt.Sprintf("shared%d@x.com", rng.IntN(3600)) // collides often
		default:
			d["email"] = fmt.Sprintf("user%d@x.com", i) // unique
		}
		docs = append(docs, d)
	}
	for start := 0; start < total; start += 1000 {
		f.insert("users", docs[start:start+1000]...)
	}
	// The independent count: occurrences per email; documents without one lack the key and
	// are counted apart, not as surplus.
	per := map[any]int{}
	lacking := 0
	for _, d := range docs {
		if d["email"] == nil {
			lacking++
			continue
		}
		per[d["email"]]++
	}
	var groups, documents int
	for _, n := range per {
		if n > 1 {
			groups++
			documents += n
		}
	}
	surplus := documents - groups
	t.Logf("inserted %d documents; independent count: %d groups, %d documents, %d surplus", total, groups, documents, surplus)

	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--format", "json")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	var res struct {
		Summary struct{ Groups, Documents, Surplus, LackingKey int }
		Groups  []struct {
			Count    int
			LacksKey bool
			IDs      []json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	got := []int{res.Summary.Groups, res.Summary.Documents, res.Summary.Surplus, res.Summary.LackingKey}
	if !reflect.DeepEqual(got, []int{groups, documents, surplus, lacking}) {
		t.Fatalf("scan summary %v, independent count %v", got, []int{groups, documents, surplus, lacking})
	}
	sum, flagged := 0, 0
	for _, g := range res.Groups {
		if g.Count != len(g.IDs) {
			t.Fatalf("group count %d but %d ids", g.Count, len(g.IDs))
		}
		if g.LacksKey {
			flagged += g.Count
			continue
		}
		sum += g.Count
	}
	if flagged != lacking {
		t.Fatalf("the group flagged lacksKey holds %d documents, want %d", flagged, lacking)
	}
	if len(res.Groups) != groups+1 || sum != documents {
		t.Fatalf("%d groups listed holding %d documents", len(res.Groups), sum)
	}
	table, _, _ := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email")
	line := fmt.Sprintf("%d groups, %d documents, %d surplus", groups, documents, surplus)
	mustContain(t, "table summary", table, line)
	t.Logf("dupes scan printed: %s", lastLine(table))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestScanIndexTakesItsOptions(t *testing.T) {
	f := newFixture(t)
	f.insert("users",
		map[string]any{"_id": 1, "email": "a", "active": true},
		map[string]any{"_id": 2, "email": "a", "active": false},
		map[string]any{"_id": 3, "email": "a", "active": true},
		map[string]any{"_id": 4, "active": true},
		map[string]any{"_id": 5, "active": true},
	)
	// Non-unique indexes: mongo-java-server would refuse to build unique ones over duplicates,
	// and only the key and options matter to the scan.
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_sparse", Sparse: true})
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_active", Partial: map[string]any{"active": true}})

	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--index", "email_sparse")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "sparse index scan", out, "semantics: index-exact (email_sparse); sparse", `3      "a"    1, 2, 3`, "1 groups, 3 documents")
	mustContain(t, "stderr", errOut, "index email_sparse is not unique")

	out, _, _ = dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--index", "email_active")
	mustContain(t, "partial index scan", out, `partial filter {"active":true}`, `2      "a"    1, 3`, "2      null   4, 5")

	_, errOut, status = dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--index", "nope")
	if status != 1 {
		t.Errorf("unknown index: status %d", status)
	}
	mustContain(t, "unknown index error", errOut, `has no index named "nope"`, "_id_", "email_sparse", "email_active")
}

func TestScanRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1})
	ns := f.ns("users")
	for _, tc := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{"--key", "email"}, 2, "--ns DB.COLL is required"},
		{[]string{"--ns", "nodot", "--key", "email"}, 2, "not DB.COLLECTION"},
		{[]string{"--ns", ns}, 2, "--key F[,F...] or --index NAME is required"},
		{[]string{"--ns", ns, "--key", "a", "--index", "a_1"}, 2, "not both"},
		{[]string{"--ns", ns, "--key", "$a"}, 2, "cannot start with '$'"},
		{[]string{"--ns", ns, "--key", "email", "--filter", `{"email": }`}, 2, "--filter: column 11: unexpected character"},
		{[]string{"--ns", ns, "--key", "email", "--filter", `{"email": {"$date": "yesterday"}}`}, 2, "--filter"},
		{[]string{"--ns", ns, "--key", "email", "--format", "xml"}, 2, `--format "xml": want table or json`},
		{[]string{"--ns", ns, "--key", "email", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"--ns", ns, "--key", "email", "stray"}, 2, `unexpected argument "stray"`},
		{[]string{"--ns", f.db + ".missing", "--key", "email"}, 1, "no such collection"},
	} {
		args := append([]string{"scan", "--uri", f.uri}, tc.args...)
		_, errOut, status := dupes(t, args...)
		if status != tc.status || !strings.Contains(errOut, tc.says) {
			t.Errorf("dupes %s: status %d, stderr %q; want status %d saying %q", strings.Join(tc.args, " "), status, errOut, tc.status, tc.says)
		}
	}
}

// The real binary's exit statuses, as a script sees them.
func TestExitStatuses(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1, "email": "a"}, map[string]any{"_id": 2, "email": "a"})
	for _, tc := range []struct {
		args   []string
		status int
	}{
		{[]string{"--help"}, 0},
		{[]string{"scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email"}, 0},
		{[]string{"scan", "--uri", f.uri, "--key", "email"}, 2},
		{[]string{"scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--filter", "{"}, 2},
		{[]string{"scan", "--uri", f.uri, "--ns", f.ns("users"), "--index", "missing_1"}, 1},
		{[]string{"scan", "--uri", "http://nope", "--ns", f.ns("users"), "--key", "email"}, 1},
		{[]string{"plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--out", "x.json"}, 2},
		{[]string{"apply", "--plan", "/nonexistent/plan.json"}, 1},
		{[]string{"explain-error", "--uri", f.uri, "not an error"}, 2},
	} {
		out, errOut, status := dupesBinary(t, tc.args...)
		if status != tc.status {
			t.Errorf("dupes %s: exit %d, want %d\n%s%s", strings.Join(tc.args, " "), status, tc.status, out, errOut)
		}
		if status != 0 && !bytes.HasPrefix([]byte(errOut), []byte("dupes: ")) {
			t.Errorf("dupes %s: the error does not say who speaks: %q", strings.Join(tc.args, " "), errOut)
		}
	}
}

// Progress lines are for people: never written to a pipe or a file.
func TestProgressOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf)
	p.printf("scanning %d", 1)
	p.done()
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	q := newProgress(file)
	q.printf("scanning %d", 1)
	q.done()
	st, _ := file.Stat()
	if buf.Len() != 0 || st.Size() != 0 {
		t.Fatalf("progress written to a non-terminal: %q, %d bytes", buf.String(), st.Size())
	}
}

// An index's collation decides string equality: --index must scan under it.
func TestScanIndexCollation(t *testing.T) {
	f := newFixture(t)
	f.insert("users",
		map[string]any{"_id": 1, "email": "A@x.com"},
		map[string]any{"_id": 2, "email": "a@x.com"},
		map[string]any{"_id": 3, "email": "b@x.com"},
	)
	type collation struct {
		Locale   string `bson:"locale"`
		Strength int    `bson:"strength"`
	}
	type spec struct {
		Key       map[string]int `bson:"key"`
		Name      string         `bson:"name"`
		Collation collation      `bson:"collation"`
	}
	type command struct {
		Coll    string `bson:"createIndexes"`
		Indexes []spec `bson:"indexes"`
	}
	err := mongotest.Client(t).Database(f.db).RunCommand(context.Background(), command{Coll: "users",
		Indexes: []spec{{Key: map[string]int{"email": 1}, Name: "email_ci", Collation: collation{"en", 2}}}}).Err()
	if e := testEngine(t); !e.Collation {
		// FerretDB: 115 createIndex.collation is not implemented yet. dupes' own refusal of a
		// collation there is checked in mongo (TestCreateUniqueIndexCollation).
		if err == nil {
			t.Fatalf("%s built an index with a collation, though dupes thinks it has none", e)
		}
		mongotest.Skipf(t, "%s has no collation support (createIndex with a collation: %v)", e, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--index", "email_ci")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "collated scan", out, "semantics: index-exact (email_ci); missing = null; collation en strength 2")
	if mongotest.JavaServer() {
		t.Log("mongo-java-server ignores collation in aggregate (the collation sent is tested in mongo/): " +
			"the case-insensitive grouping is checked only against MONGODB_URI")
		return
	}
	mustContain(t, "collated scan", out, "1 groups, 2 documents")
}

// A group cut at MaxGroupIDs keeps its true count in every output and stays out of plans.
func TestOversizedGroupOutputs(t *testing.T) {
	idsOf := func(n int) []model.Value {
		out := make([]model.Value, n)
		for i := range out {
			out[i] = model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i+1))
		}
		return out
	}
	res := scanResult{
		groups: []model.Group{
			{Key: []model.Value{model.Null}, IDs: idsOf(3)},
			{Key: []model.Value{`"a"`}, IDs: idsOf(2)},
		},
		oversized: []mongo.Oversized{{Key: []model.Value{model.Null}, Count: 250_000, Listed: 3}},
	}
	res.summary = summarize(res.groups, res.oversized)
	ns := model.Namespace{DB: "shop", Coll: "users"}
	key := model.Key{Fields: []string{"email"}}

	var js bytes.Buffer
	if err := writeScanJSON(&js, ns, key, res); err != nil {
		t.Fatal(err)
	}
	// The large group lacks the key: counted apart, not as surplus.
	mustContain(t, "json", js.String(), `"summary":{"groups":1,"documents":2,"surplus":1,"lackingKey":250000}`,
		`{"key":[null],"count":250000,"lacksKey":true,"ids":[{"$numberInt":"1"},{"$numberInt":"2"},{"$numberInt":"3"}]}`,
		`{"key":["a"],"count":2,"ids":`)
	var table bytes.Buffer
	writeScanTable(&table, ns, key, res, 1_000_000)
	mustContain(t, "table", table.String(), "250000  null   1, 2, 3, … +249997 more  "+lacksMark,
		"group null: 250000 documents, only the first 3 ids are listed", "250000 documents lack email", "unless --delete-missing")
	var warn bytes.Buffer
	whole, left := res.whole(&warn, true)
	if len(whole) != 1 || whole[0].Key[0] != `"a"` {
		t.Fatalf("plan groups: %v", whole)
	}
	mustContain(t, "warning", warn.String(), "group null has 250000 documents", "left out of the plan", "--filter")
	// The command ends in an error naming the group: never a silent "no duplicates".
	if err := left.err(); err == nil || !strings.Contains(err.Error(), "null (250000 documents)") {
		t.Fatalf("the group left out is not the command's error: %v", err)
	}
	warn.Reset()
	if whole, left = res.whole(&warn, false); len(whole) != 1 || warn.Len() != 0 || left.err() != nil {
		t.Fatalf("left alone anyway, yet warned: %q %v", warn.String(), left.err())
	}
}
