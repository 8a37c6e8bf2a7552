package report

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyModel holds the package to what lets the TUI and the command line both call
// it: the standard library and model, no driver, no Bubble Tea, no cli or ui.
func TestImportsOnlyModel(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			checked++
			if strings.Contains(strings.Split(p, "/")[0], ".") && p != "github.com/dupes-tui/dupes/model" {
				t.Errorf("%s imports %s: report imports only the standard library and model", f, p)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d imports checked", checked)
	}
}
