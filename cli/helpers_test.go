package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// binary is the dupes command built once by TestMain, for tests of exit statuses.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dupes-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "dupes")
	if out, err := exec.Command("go", "build", "-o", binary, "github.com/dupes-tui/dupes").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build dupes: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// dupes runs the command in-process, as Main does, and returns its output and exit status.
func dupes(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(args, &out, &errb)
	return out.String(), errb.String() + errText(err), exitCode(err)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "dupes: " + err.Error() + "\n"
}

// dupesBinary runs the built binary and returns its output and real exit status.
func dupesBinary(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run %s: %v", binary, err)
	return
}

// fixture is a fresh database on the live server with the URI to reach it.
type fixture struct {
	t   *testing.T
	uri string
	db  string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := mongotest.DB(t)
	return fixture{t: t, uri: mongotest.URI(t), db: db.Name()}
}

func (f fixture) ns(coll string) string { return f.db + "." + coll }

// insert adds documents, given as maps.
func (f fixture) insert(coll string, docs ...map[string]any) {
	f.t.Helper()
	ds := make([]any, len(docs))
	for i, d := range docs {
		ds[i] = d
	}
	mongotest.InsertMany(f.t, mongotest.Client(f.t).Database(f.db).Collection(coll), ds)
}

func (f fixture) count(coll string) int64 {
	f.t.Helper()
	n, err := mongotest.Client(f.t).Database(f.db).Collection(coll).CountDocuments(context.Background(), map[string]any{})
	if err != nil {
		f.t.Fatalf("count: %v", err)
	}
	return n
}

// indexSpec and createIndexes are the createIndexes command as structs, whose fields keep
// their order in BSON (a map would not put the command name first).
type indexSpec struct {
	Key     map[string]int `bson:"key"`
	Name    string         `bson:"name"`
	Unique  bool           `bson:"unique,omitempty"`
	Sparse  bool           `bson:"sparse,omitempty"`
	Partial map[string]any `bson:"partialFilterExpression,omitempty"`
}

type createIndexes struct {
	Coll    string      `bson:"createIndexes"`
	Indexes []indexSpec `bson:"indexes"`
}

func (f fixture) createIndex(coll string, ix indexSpec) {
	f.t.Helper()
	err := mongotest.Client(f.t).Database(f.db).RunCommand(context.Background(), createIndexes{Coll: coll, Indexes: []indexSpec{ix}}).Err()
	if err != nil {
		f.t.Fatalf("create index %s: %v", ix.Name, err)
	}
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
