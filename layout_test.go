package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/dupes-tui/dupes"

// bsonPkg is the driver's BSON package: no network, only the reading and writing of values.
const bsonPkg = "go.mongodb.org/mongo-driver/v2/bson"

// TestImportRules holds the layout's promises: model imports only the standard library,
// golang.org/x/text for collation and the driver's bson package, which reads and writes every
// value (docs/architecture.md, "One reader of values"); only mongo/ (and its test helper) imports the driver,
// besides cli's end-to-end tests seeding data; only ui/ and cli/ import Bubble Tea; nothing
// but main.go imports cli, and main.go imports nothing else but os: no import runs back up.
func TestImportRules(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		top := strings.Split(dir, "/")[0]
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			checked++
			switch {
			case top == "model" && strings.Contains(strings.Split(p, "/")[0], ".") && !strings.HasPrefix(p, "golang.org/x/text/") && p != bsonPkg:
				// x/text's collation: string equality under a collation; bson: the one value reader.
				t.Errorf("%s imports %s: model imports only the standard library, x/text and bson", path, p)
			case strings.HasPrefix(p, "go.mongodb.org/") && top != "mongo" && !(top == "model" && p == bsonPkg) && !(top == "cli" && strings.HasSuffix(path, "_test.go")):
				// End-to-end tests of the binary (cli/'s _test.go files) may seed data through
				// the driver; no production package but mongo/ may.
				t.Errorf("%s imports %s: only mongo/ imports the driver", path, p)
			case strings.HasPrefix(p, "github.com/charmbracelet/bubbletea") && top != "ui" && top != "cli" && !strings.HasSuffix(path, "_test.go"):
				t.Errorf("%s imports %s: only ui/ and cli/ use Bubble Tea", path, p)
			case (p == module+"/cli" || strings.HasPrefix(p, module+"/cli/")) && dir != ".":
				t.Errorf("%s imports %s: nothing but main.go imports cli", path, p)
			case dir == "." && !strings.HasSuffix(path, "_test.go") && p != "os" && p != module+"/cli":
				t.Errorf("%s imports %s: main.go only calls cli.Main", path, p)
			case strings.HasPrefix(p, module+"/ui") && top == "mongo":
				t.Errorf("%s imports %s: data flows ui → mongo, never back", path, p)
			case p == "testing" && !strings.HasSuffix(path, "_test.go") && dir != "mongo/mongotest" && dir != "internal/exectest":
				t.Errorf("%s imports testing outside a test", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d imports checked: the walk is not reading the tree", checked)
	}
}
