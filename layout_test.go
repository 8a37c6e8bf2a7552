package main

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
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

// TestScreenContract holds the screen contract (docs/architecture.md, "Screens"): the root and
// the other screens know a screen only through the registry, the messages it opens and
// answers with, and the screen interface. So no field of a screen type is read (or set in a
// composite literal) outside the screen's own files, and no struct outside them holds a field
// of that type. A screen type is one that implements ui's screen interface, or is named
// *Screen; its files are those named after its type's file, B.go and B_*.go, tests included.
func TestScreenContract(t *testing.T) {
	fset, files, pkg, info := typeCheckUI(t)
	iface, _ := pkg.Scope().Lookup("screen").Type().Underlying().(*types.Interface)
	if iface == nil {
		t.Fatal("ui has no screen interface")
	}
	home := map[*types.TypeName]string{} // screen type → its files' base name
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) {
			continue
		}
		// A wrapper that gets the methods from an embedded screen (the root's stack entry) is
		// not a screen of its own.
		ptr := types.NewPointer(tn.Type())
		update := types.NewMethodSet(ptr).Lookup(pkg, "Update")
		own := update != nil && len(update.Index()) == 1
		if own && types.Implements(ptr, iface) || strings.HasSuffix(name, "Screen") {
			home[tn] = strings.TrimSuffix(filepath.Base(fset.Position(tn.Pos()).Filename), ".go")
		}
	}
	if len(home) < 10 {
		t.Fatalf("only %d screen types found: the check is not reading ui", len(home))
	}
	// screenOf is the screen type t is, or points to, or holds (a slice, a map), else nil.
	var screenOf func(t types.Type) *types.TypeName
	screenOf = func(t types.Type) *types.TypeName {
		switch t := t.(type) {
		case *types.Pointer:
			return screenOf(t.Elem())
		case *types.Slice:
			return screenOf(t.Elem())
		case *types.Array:
			return screenOf(t.Elem())
		case *types.Map:
			return screenOf(t.Elem())
		case *types.Named:
			if _, ok := home[t.Obj()]; ok {
				return t.Obj()
			}
		}
		return nil
	}
	own := func(file string, tn *types.TypeName) bool {
		base := strings.TrimSuffix(filepath.Base(file), ".go")
		return base == home[tn] || strings.HasPrefix(base, home[tn]+"_")
	}
	reads := 0
	for _, f := range files {
		file := fset.Position(f.Pos()).Filename
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				sel := info.Selections[n]
				if sel == nil || sel.Kind() != types.FieldVal {
					return true
				}
				reads++
				if tn := screenOf(sel.Recv()); tn != nil && !own(file, tn) {
					t.Errorf("%s: reads %s.%s, a field of a screen, outside %s.go: open the screen by its message and read its answers",
						fset.Position(n.Sel.Pos()), tn.Name(), n.Sel.Name, home[tn])
				}
			case *ast.CompositeLit:
				if tn := screenOf(info.TypeOf(n)); tn != nil && len(n.Elts) > 0 && !own(file, tn) {
					t.Errorf("%s: sets the fields of a %s outside %s.go", fset.Position(n.Pos()), tn.Name(), home[tn])
				}
			case *ast.StructType:
				for _, fld := range n.Fields.List {
					if tn := screenOf(info.TypeOf(fld.Type)); tn != nil && !own(file, tn) {
						t.Errorf("%s: a field of type %s outside %s.go: hold screens as the screen interface, on the stack",
							fset.Position(fld.Pos()), types.TypeString(info.TypeOf(fld.Type), types.RelativeTo(pkg)), home[tn])
					}
				}
			}
			return true
		})
	}
	if reads < 500 {
		t.Fatalf("only %d field reads seen: the check is not reading ui", reads)
	}
}

// typeCheckUI parses ui/*.go, its tests too, and type-checks them against the export data the
// go command builds for their imports.
func typeCheckUI(t *testing.T) (*token.FileSet, []*ast.File, *types.Package, *types.Info) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-test", "-export", "-f", "{{.ImportPath}}\t{{.Export}}", "./ui").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok && file != "" {
			exports[path] = file
		}
	}
	fset := token.NewFileSet()
	paths, _ := filepath.Glob("ui/*.go")
	var files []*ast.File
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Types: map[ast.Expr]types.TypeAndValue{}}
	pkg, err := conf.Check(module+"/ui", fset, files, info)
	if err != nil {
		t.Fatalf("type-check ui: %v", err)
	}
	return fset, files, pkg, info
}
