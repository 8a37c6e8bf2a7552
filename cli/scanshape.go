package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// shapeFieldsShown is how many differing fields the table output lists, the most common first.
const shapeFieldsShown = 10

// measureShape is scan --shape's second pass: every member of every group read, whole, and
// compared as the TUI's group view compares them. A pass that stops leaves the shape of the
// groups measured, marked partial, and returns why.
func (res *scanResult) measureShape(ctx context.Context, c *mongo.Client, ns model.Namespace, prog *progress) error {
	s, err := c.Shape(ctx, ns, res.groups, func(done, total int) {
		prog.printf("reading the members of %s: %d of %d groups", ns, done, total)
	})
	prog.done()
	res.shape = &s
	if err != nil {
		res.shapeErr = err.Error()
		return fmt.Errorf("shape of the groups, stopped after %d of %d groups: %w", s.Measured, s.Total, err)
	}
	return nil
}

// writeShapeText prints the shape after the scan's table: the histogram of sizes, the
// identical copies, the fields that differ most often and the suggested rule.
func writeShapeText(w io.Writer, s model.Shape) {
	fmt.Fprintln(w)
	if s.Partial {
		fmt.Fprintf(w, "shape of the first %d of %d groups (stopped: partial):\n", s.Measured, s.Total)
	} else {
		fmt.Fprintf(w, "shape of the %d groups (every member read):\n", s.Measured-s.LackingKey)
	}
	rows := [][]string{{"  SIZE", "GROUPS", "DOCUMENTS"}}
	for _, b := range s.Sizes {
		rows = append(rows, []string{"  " + b.Label, fmt.Sprint(b.Groups), fmt.Sprint(b.Documents)})
	}
	writeColumns(w, rows)
	if s.Compared == 0 {
		fmt.Fprintln(w, "no group with two members or more to compare.")
	} else {
		fmt.Fprintf(w, "identical but for _id: %d of %d groups (%s)\n", s.IdenticalGroups, s.Compared, model.SharePercent(float64(s.IdenticalGroups)/float64(s.Compared)))
	}
	if len(s.Fields) > 0 {
		fmt.Fprintln(w, "fields that differ, by share of groups:")
		rows = rows[:0]
		for _, f := range s.Fields[:min(len(s.Fields), shapeFieldsShown)] {
			row := []string{"  " + model.DisplayPath(f.Path), model.SharePercent(f.Share), groupsText(f.Groups)}
			if f.TypeOnly > 0 {
				row = append(row, fmt.Sprintf("%d only in type (equal by value, as 1 and 1.0)", f.TypeOnly))
			}
			rows = append(rows, row)
		}
		writeColumns(w, rows)
		if more := len(s.Fields) - shapeFieldsShown; more > 0 {
			fmt.Fprintf(w, "  … and %d more fields (--format json lists them all)\n", more)
		}
	}
	if s.Gone > 0 {
		fmt.Fprintf(w, "%s had fewer than two members left (deleted since the scan): not compared\n", groupsText(s.Gone))
	}
	if s.LackingKey > 0 {
		fmt.Fprintf(w, "%d group lacking the key: not read, not counted\n", s.LackingKey)
	}
	if g := s.Suggestion; g != nil {
		fmt.Fprintf(w, "suggestion (nothing is applied): --keep %s. %s\n", model.DisplayPath(g.Keep), g.Why)
	}
}

// groupsText is "1 group" or "N groups".
func groupsText(n int) string {
	if n == 1 {
		return "1 group"
	}
	return fmt.Sprintf("%d groups", n)
}
