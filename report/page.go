package report

import (
	_ "embed"
	"html/template"
	"strconv"
	"strings"
)

// page.html is the report's one template: its style is inline, it has no script, and
// html/template escapes every value in it for where it stands.
//
//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{"n": thousands, "plural": plural}).Parse(pageHTML))

// plural is one or many, as n says.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// thousands writes n with commas between thousands: 1,234,567.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// page is what the template shows. Every string in it is already text for people (escaped by
// model.SafeText or Value.Display); html/template escapes it again for HTML.
type page struct {
	NS, Key, Semantics string
	Generated, Server  string
	Notes              []string
	Counts             countsView
	Shape              shapeSection
	Plan               *planView
	Shown              []groupView
	ShownCount         int
	MoreGroups         int // groups not shown side by side
	Backup, Undo       string
	Pending            bool // Backup is the file's pattern: the run names it
}

type countsView struct {
	Groups, Documents, Surplus int
	Lacking                    int // documents lacking the key, apart
}

// shapeSection is the groups' shape (model.Shape): sizes and the fields that differ.
type shapeSection struct {
	Sizes          []sizeRow
	Fields         []fieldRow
	Compared       int // groups with two members or more still present: the shares' base
	Identical      int // of those, copies equal in every field but _id
	IdenticalShare string
	Gone           int    // groups left with fewer than two members since the scan
	Suggest        string // a keep rule the shape suggests, "" for none
	SuggestWhy     string
}

type sizeRow struct {
	Label             string
	Groups, Documents int
	Width             int // the bar, in percent of the largest
}

type fieldRow struct {
	Path     string
	Groups   int
	Share    string
	Width    int // the bar, in percent of the groups compared
	TypeOnly int // groups where only the values' BSON types differ
}

// planView is the plan's part of the report.
type planView struct {
	Rule, RuleHow, Merge, Created string
	// Semantics is the plan's own semantics sentence, when it is not the key's today.
	Semantics     string
	DeleteMissing bool
	Groups        int // plan groups
	Deletes       int // documents it deletes
	Keepers       int // distinct documents it keeps
	Hand          []handRow
	List          []deleteRow // the first MaxListed plan groups
	MoreListed    int
	Left          []leftRow // the scan's groups the plan leaves alone, by reason
	NotFound      int       // plan groups this scan did not find
	Changed       int       // planned deletes changed since the plan: skipped by the run
	Unseen        int       // planned deletes this scan did not find: skipped by the run
}

type handRow struct{ Key, Keep string }

type deleteRow struct {
	Key, Keep, Decision string
	Delete              []string
}

type leftRow struct {
	What         string
	Groups, Docs int
}

// groupView is one group side by side: members as columns, fields as rows.
type groupView struct {
	N        int // the group's place in the scan, from 1
	Key      string
	Count    int
	Status   string // what the plan does with it
	Decision string
	Alone    bool
	Members  []memberView
	Rows     []fieldView
	Hidden   int // members beyond MaxColumns
	Gone     int // members the scan listed that were not found when read
}

type memberView struct {
	ID, Created string
	Mark, Class string // what the plan does with it: keep, delete, …
}

type fieldView struct {
	Path    string
	Differs bool // model.Diff: not every member holds the same value (the TUI's ≠)
	Cells   []cellView
}

type cellView struct {
	Text    string
	Missing bool
}
