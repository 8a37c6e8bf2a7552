package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// censusFixture fills a fresh database: users with a non-unique index on sku (30 values, two
// documents each), email unique but for three copies of one address, status of two values;
// logs, ten documents equal but for _id; and an empty collection.
func censusFixture(t *testing.T) fixture {
	t.Helper()
	f := newFixture(t)
	var users []map[string]any
	for i := range 60 {
		email := fmt.Sprintf("u%d@x", i)
		if i < 3 {
			email = "same@x"
		}
		users = append(users, map[string]any{"_id": i, "email": email, "sku": i % 30, "status": []string{"on", "off"}[i%2]})
	}
	f.insert("users", users...)
	f.createIndex("users", indexSpec{Key: map[string]int{"sku": 1}, Name: "sku_1"})
	var logs []map[string]any
	for i := range 10 {
		logs = append(logs, map[string]any{"_id": i, "msg": "boot"})
	}
	f.insert("logs", logs...)
	if err := mongotest.Client(t).Database(f.db).CreateCollection(context.Background(), "empty"); err != nil {
		t.Fatal(err)
	}
	return f
}

// census runs dupes census with --format json and reads its output.
func census(t *testing.T, f fixture, args ...string) (censusJSON, string, int) {
	t.Helper()
	out, errOut, status := dupes(t, append([]string{"census", "--uri", f.uri, "--db", f.db, "--format", "json"}, args...)...)
	var got censusJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("census output is not its JSON (%v):\n%s\n%s", err, out, errOut)
	}
	return got, errOut, status
}

func candidateRows(cj censusJSON) []string {
	var rows []string
	for _, c := range cj.Candidates {
		rows = append(rows, fmt.Sprintf("%s %s %s %d/%d", strings.TrimPrefix(c.NS, cj.DB+"."), c.Kind, c.KeyText, c.Groups, c.Surplus))
	}
	return rows
}

func notDoneRows(cj censusJSON) []string {
	var rows []string
	for _, n := range cj.NotDone {
		rows = append(rows, fmt.Sprintf("%s %s %s: %s", strings.TrimPrefix(n.NS, cj.DB+"."), n.Kind, n.KeyText, n.Reason))
	}
	return rows
}

// TestCensusBySurplus: every collection's candidates (the non-unique index, the field that
// looks unique, the whole document; not the two-valued status), counted, most surplus first.
func TestCensusBySurplus(t *testing.T) {
	f := censusFixture(t)
	got, errOut, status := census(t, f)
	if status != 0 {
		t.Fatalf("exit %d: %s", status, errOut)
	}
	want := []string{
		"users index sku 30/30",
		"logs whole-document whole document 1/9",
		"users field email 1/2",
		"empty whole-document whole document 0/0",
		"users whole-document whole document 0/0",
	}
	if rows := candidateRows(got); !reflect.DeepEqual(rows, want) {
		t.Fatalf("candidates\n got %q\nwant %q", rows, want)
	}
	if !got.Complete || got.Interrupted || len(got.NotDone) != 0 || got.Collections != 3 || got.Budget.Seconds != 60 {
		t.Fatalf("census %+v", got)
	}
	if k := got.Candidates[0].Key; k == nil || k.Index != "sku_1" || !reflect.DeepEqual(k.Fields, []string{"sku"}) {
		t.Errorf("the index candidate's key: %+v", k)
	}
	// The table says the same, in the same order.
	out, _, status := dupes(t, "census", "--uri", f.uri, "--db", f.db)
	if status != 0 {
		t.Fatalf("table: exit %d", status)
	}
	at := -1
	for _, w := range []string{"30      30  users", "9       1  logs", "2       1  users       field"} {
		i := strings.Index(out, w)
		if i <= at {
			t.Fatalf("table lacks %q after offset %d:\n%s", w, at, out)
		}
		at = i
	}
	mustContain(t, "table", out, "database: "+f.db, "3 collection(s) examined", "SURPLUS  GROUPS  COLLECTION")
}

// TestCensusBudget: a document budget counts what fits and names the rest in order; a time
// budget spent before the first count names every collection. The assertions are on the
// not-done lists, never on the clock.
func TestCensusBudget(t *testing.T) {
	f := censusFixture(t)
	// 60 (users sku) + 10 (logs) + 0 (empty) fit in 75; users email (60) and the users whole
	// document (60) do not.
	got, _, status := census(t, f, "--max-docs", "75")
	want := []string{"users field email: " + model.NotDoneDocs, "users whole-document whole document: " + model.NotDoneDocs}
	if rows := notDoneRows(got); status != 0 || got.Complete || !reflect.DeepEqual(rows, want) {
		t.Fatalf("--max-docs 75: exit %d, not done\n %q\nwant %q", status, rows, want)
	}
	if rows := candidateRows(got); len(rows) != 3 || rows[0] != "users index sku 30/30" {
		t.Fatalf("--max-docs 75: counted %q", rows)
	}
	got, _, status = census(t, f, "--budget", "1ns")
	want = []string{"empty collection : " + model.NotDoneTime, "logs collection : " + model.NotDoneTime, "users collection : " + model.NotDoneTime}
	if rows := notDoneRows(got); status != 0 || len(got.Candidates) != 0 || !reflect.DeepEqual(rows, want) {
		t.Fatalf("--budget 1ns: exit %d, counted %v, not done\n %q\nwant %q", status, candidateRows(got), rows, want)
	}
	out, _, _ := dupes(t, "census", "--uri", f.uri, "--db", f.db, "--max-docs", "75")
	mustContain(t, "table", out, "not done (2):", "email", model.NotDoneDocs, "run again with a larger --budget or --max-docs")
}

// TestCensusInterrupted: cancelled after its first count, as Ctrl+C does, the census prints
// what it has, names the rest as cancelled, and fails (exit status 1).
func TestCensusInterrupted(t *testing.T) {
	f := censusFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	req := censusRequest{uri: f.uri, db: f.db, json: true, opt: model.CensusOptions{Budget: model.Budget{Time: time.Minute}}}
	err := req.run(ctx, &out, &errOut, func(model.CandidateCount) { cancel() })
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "census interrupted") {
		t.Fatalf("interrupted census: %v (exit %d)", err, exitCode(err))
	}
	var got censusJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if len(got.Candidates) != 1 || !got.Interrupted || got.Complete || len(got.NotDone) != 4 {
		t.Fatalf("interrupted: counted %q, not done %q", candidateRows(got), notDoneRows(got))
	}
	for _, n := range got.NotDone {
		if n.Reason != model.NotDoneCancelled {
			t.Errorf("not done %+v: want %q", n, model.NotDoneCancelled)
		}
	}
}

// TestCensusListsWithoutScanning: a view and a system collection are listed, never counted,
// where the engine has them. FerretDB and mongo-java-server make a view a plain collection
// (mongo.Engine.Views), and FerretDB refuses to write a system collection: that part is then
// skipped by name; TestCensusTableEscapes and model's TestTakeCensus cover the listing itself.
func TestCensusListsWithoutScanning(t *testing.T) {
	f := censusFixture(t)
	c, err := mongo.Connect(context.Background(), f.uri, mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	e, err := c.Engine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db := mongotest.Client(t).Database(f.db)
	if e.Views {
		if err := db.RunCommand(context.Background(), bson.D{{Key: "create", Value: "recent"}, {Key: "viewOn", Value: "users"},
			{Key: "pipeline", Value: bson.A{}}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	_, sysErr := db.Collection("system.js").InsertOne(context.Background(), bson.D{{Key: "_id", Value: "f"}, {Key: "value", Value: 1}})
	got, _, status := census(t, f)
	if status != 0 {
		t.Fatalf("exit %d", status)
	}
	listed := map[string]string{}
	for _, n := range got.NotScanned {
		listed[strings.TrimPrefix(n.NS, f.db+".")] = n.Reason
	}
	for _, c := range got.Candidates {
		if coll := strings.TrimPrefix(c.NS, f.db+"."); coll == "recent" && e.Views || strings.HasPrefix(coll, "system.") {
			t.Errorf("%s was counted: %+v", coll, c)
		}
	}
	if e.Views && listed["recent"] != "view on users: count that collection" {
		t.Errorf("the view is not listed as such: %q", listed)
	}
	sysListed := false
	for _, col := range mustCollections(t, c, f.db) {
		sysListed = sysListed || col.System()
	}
	if sysListed && listed["system.js"] != "system collection" {
		t.Errorf("the system collection is not listed as such: %q", listed)
	}
	if !e.Views || !sysListed {
		mongotest.Skipf(t, "%s: views %v, system collection listed %v (write: %v): the rest is checked on engines that have them",
			e, e.Views, sysListed, sysErr)
	}
}

func mustCollections(t *testing.T, c *mongo.Client, db string) []model.Collection {
	t.Helper()
	cols, err := c.Collections(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// TestCensusTableEscapes: names are data: a collection, field or index name holding an escape
// sequence is printed escaped, in every part of the table; views and system collections are
// listed apart; a refused key says why in its row.
func TestCensusTableEscapes(t *testing.T) {
	ns := model.Namespace{DB: "d", Coll: "evil\x1b]0;pwned\x07"}
	field := model.Candidate{NS: ns, Kind: model.CandidateField, Key: model.Key{Fields: []string{"e\x1b[31m"}}, Why: "index \u009b2J"}
	cs := model.Census{DB: "d", Collections: 1,
		Results: []model.CandidateCount{
			{Candidate: field, Count: model.DupCount{Groups: 2, Surplus: 3}},
			{Candidate: model.Candidate{NS: ns, Kind: model.CandidateIndex, Key: model.Key{Fields: []string{"c"}}},
				Err: errors.New("refused\nsecond line")},
		},
		NotDone: []model.NotDone{{Candidate: field, Reason: model.NotDoneTime}},
		Unscanned: []model.Unscanned{
			{Collection: model.Collection{NS: model.Namespace{DB: "d", Coll: "recent"}, Type: model.TypeView}, Reason: "view on users: count that collection"},
			{Collection: model.Collection{NS: model.Namespace{DB: "d", Coll: "system.js"}, Type: model.TypeCollection}, Reason: "system collection"},
		}}
	var b bytes.Buffer
	writeCensusTable(&b, cs, model.Budget{Time: time.Minute})
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Fatalf("raw control characters in the table:\n%q", out)
	}
	mustContain(t, "table", out, `evil\x1b]0;pwned\x07`, `e\x1b[31m`, `\u009b2J`, "not counted: refused",
		"listed, not scanned:", "recent", "view on users", "system.js", "system collection", "not done (1):", model.NotDoneTime)
	if strings.Contains(out, "second line") {
		t.Errorf("a row holds the error's second line:\n%s", out)
	}
	b.Reset()
	if err := writeCensusJSON(&b, cs, model.Budget{}, false); err != nil {
		t.Fatal(err)
	}
	var got censusJSON
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.NotScanned) != 2 || got.NotScanned[0].Type != "view" || got.Candidates[1].Error == "" || got.Candidates[0].KeyText == "" {
		t.Fatalf("json: %+v", got)
	}
}

// TestCensusUsage: the flags a census needs are checked before it connects.
func TestCensusUsage(t *testing.T) {
	for _, args := range [][]string{
		{"census"},
		{"census", "--db", "a.b"},
		{"census", "--db", "x", "--format", "xml"},
		{"census", "--db", "x", "--budget", "-1s"},
	} {
		if _, errOut, status := dupes(t, args...); status != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, status, errOut)
		}
	}
}
