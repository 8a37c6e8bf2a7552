package cli

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func TestExplainErrorPrintsTheGroup(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	msg := fmt.Sprintf(`E11000 duplicate key error collection: %s index: email_1 dup key: { email: "a" }`, f.ns("users"))
	out, errOut, status := dupes(t, "explain-error", "--uri", f.uri, msg)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "explain-error", out,
		"namespace: "+f.ns("users"), "index:     email_1 (not present now", `key:       email: "a"`,
		"semantics: exact; missing = null", "members:   3 documents",
		`_id: 1  email: "a"`, `_id: 2  email: "a"`, `_id: 3  email: "a"`,
		"to clean up: dupes resolve --uri "+model.ShellQuote(f.uri)+" --ns "+f.ns("users")+" --key email --keep first")

	// The pre-4.2 format names no fields: they come from the index, which must exist.
	old := fmt.Sprintf(`E11000 duplicate key error index: %s.$email_1  dup key: { : "b" }`, f.ns("users"))
	_, errOut, status = dupes(t, "explain-error", "--uri", f.uri, old)
	if status != 1 || !strings.Contains(errOut, "has no index email_1 now, and the message does not name the key fields") {
		t.Errorf("old format without index: %d %q", status, errOut)
	}
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_1"})
	out, errOut, status = dupes(t, "explain-error", f.uri, old) // the URI as an argument
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "old format", out, "index:     email_1 (exists, not unique, on email)", `key:       email: "b"`,
		"semantics: index-exact (email_1)", "members:   2 documents", "--index email_1")

	// A driver error's JSON.
	js := fmt.Sprintf(`{"code": 11000, "errmsg": "E11000 duplicate key error collection: %s index: email_1 dup key: { : \"c\" }", "keyPattern": {"email": 1}, "keyValue": {"email": "c"}}`, f.ns("users"))
	out, _, status = dupes(t, "explain-error", "--uri", f.uri, js)
	if status != 0 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, "JSON form", out, `key:       email: "c"`, "1 document holds this key; the write that failed would have been its duplicate")

	for _, bad := range []string{"connection refused", `E11000 duplicate key error collection: x index: y dup key: { a: 1 }`} {
		_, errOut, status = dupes(t, "explain-error", "--uri", f.uri, bad)
		if status != 2 {
			t.Errorf("explain-error %q: status %d %q", bad, status, errOut)
		}
	}
	_, errOut, status = dupes(t, "explain-error", "--uri", f.uri, fmt.Sprintf(`E11000 duplicate key error collection: %s.nothere index: a_1 dup key: { a: 1 }`, f.db))
	if status != 1 || !strings.Contains(errOut, "no such collection") {
		t.Errorf("missing collection: %d %q", status, errOut)
	}
}

// The whole loop: a unique index rejects a write, and its very message opens the group.
func TestExplainErrorFromARealRejection(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1, "email": "a@x.com"})
	c, err := mongo.Connect(context.Background(), f.uri, mongo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.CreateUniqueIndex(context.Background(), model.Namespace{DB: f.db, Coll: "users"}, model.Key{Fields: []string{"email"}}); err != nil {
		t.Fatal(err)
	}
	_, err = mongotest.Client(t).Database(f.db).Collection("users").InsertOne(context.Background(), map[string]any{"_id": 2, "email": "a@x.com"})
	if err == nil {
		t.Fatal("the unique index accepted a duplicate")
	}
	t.Logf("driver error: %v", err)
	if !strings.Contains(err.Error(), "E11000") {
		// FerretDB names only the index: the namespace comes from --ns, the key from the index.
		explainPartial(t, f, err.Error(), "email_1 (unique, on email)", "email")
		return
	}
	out, errOut, status := dupes(t, "explain-error", "--uri", f.uri, err.Error())
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "explain-error", out, "index:     email_1 (unique, on email)", `key:       email: "a@x.com"`,
		"semantics: index-exact (email_1); missing = null", "1 document holds this key", `_id: 1  email: "a@x.com"`)
}

// explainPartial runs explain-error on a message that names only the index (FerretDB's form):
// without --ns it is refused with the reason, with --ns it prints the index's key and the
// scan that lists the groups.
func explainPartial(t *testing.T, f fixture, msg, index, fields string) {
	t.Helper()
	_, errOut, status := dupes(t, "explain-error", "--uri", f.uri, msg)
	if status != 2 || !strings.Contains(errOut, "but not its collection (FerretDB's form): give it with --ns DB.COLL") {
		t.Errorf("without --ns: status %d %q", status, errOut)
	}
	out, errOut, status := dupes(t, "explain-error", "--uri", f.uri, "--ns", f.ns("users"), msg)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	name, _, _ := strings.Cut(index, " ")
	mustContain(t, "explain-error, FerretDB's form", out, "namespace: "+f.ns("users"), "index:     "+index,
		"key:       "+fields+": values not in the message", "dupes scan --uri "+model.ShellQuote(f.uri)+" --ns "+f.ns("users")+" --index "+name)
}

// FerretDB's wording, on any engine: the message is text, the index comes from listIndexes.
// A failed index build leaves no index, and then nothing says what the key was.
func TestExplainErrorFerretDBForm(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	msg := `write exception: write errors: [Duplicate key violation on the requested collection: Index 'email_1']`
	_, errOut, status := dupes(t, "explain-error", "--uri", f.uri, "--ns", f.ns("users"), msg)
	if status != 1 || !strings.Contains(errOut, "has no index email_1 now, and the message names neither its key fields nor the values") {
		t.Errorf("index gone: status %d %q", status, errOut)
	}
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_1"})
	explainPartial(t, f, msg, "email_1 (exists, not unique, on email)", "email")
	_, errOut, status = dupes(t, "explain-error", "--uri", f.uri, "--ns", f.db+".other", `E11000 duplicate key error collection: `+f.ns("users")+` index: email_1 dup key: { email: "a" }`)
	if status != 2 || !strings.Contains(errOut, "--ns says") {
		t.Errorf("--ns contradicting the message: status %d %q", status, errOut)
	}
}

// The message may come on standard input, as when piped from a log.
func TestExplainErrorFromStdin(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	cmd := exec.Command(binary, "explain-error", "--uri", f.uri, "-")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("2026-01-01 app: E11000 duplicate key error collection: %s index: email_1 dup key: { email: \"b\" }\n", f.ns("users")))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	mustContain(t, "explain-error from stdin", string(out), `key:       email: "b"`, "members:   2 documents")
}

// The commonest E11000 of all: an insert repeating an _id.
func TestExplainErrorOnID(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": "k1", "email": "a"})
	_, err := mongotest.Client(t).Database(f.db).Collection("users").InsertOne(context.Background(), map[string]any{"_id": "k1"})
	if err == nil {
		t.Fatal("duplicate _id accepted")
	}
	if !strings.Contains(err.Error(), "E11000") {
		explainPartial(t, f, err.Error(), "_id_ (unique, on _id)", "_id")
		return
	}
	out, errOut, status := dupes(t, "explain-error", "--uri", f.uri, err.Error())
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "explain-error", out, "index:     _id_ (unique, on _id)", `key:       _id: "k1"`, "1 document holds this key")
}
