package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestTUIShapeAndReportLive drives the binary through tmux on the live server: the groups
// screen measures the groups' shape through the adapter (the fields the copies differ in, the
// identical ones, the suggested rule), a line of it filters the list, r opens on the suggested
// rule, and the review's H writes the HTML report into the backup directory.
func TestTUIShapeAndReportLive(t *testing.T) {
	db := mongotest.DB(t)
	uri := mongotest.URI(t)
	at := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	var docs []any
	id := 0
	for _, g := range []struct {
		email  string
		copies int
		saved  bool // the copies were saved at different times
	}{{"a@x.com", 2, true}, {"b@x.com", 3, true}, {"c@x.com", 2, false}} {
		for c := range g.copies {
			id++
			when := at
			if g.saved {
				when = at.Add(time.Duration(c) * time.Hour)
			}
			docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "email", Value: g.email}, {Key: "name", Value: "Ann"},
				{Key: "updatedAt", Value: bson.NewDateTimeFromTime(when)}})
		}
	}
	if _, err := db.Collection("users").InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	backup := t.TempDir()
	ns := db.Name() + ".users"
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --key email --backup '%s'; sleep 600", binary, uri, ns, backup))

	screen := s.waitFor("suggested: max:updatedAt — updatedAt differs in 67 % of groups")
	t.Logf("groups screen:\n%s", screen)
	mustContain(t, "shape panel", screen, "SHAPE · 3 groups compared", "updatedAt", "67 %  2 groups", "identical but _id", "33 %  1 group")
	s.send("Tab")
	s.waitFor("› updatedAt")
	s.send("Down")
	s.send("Enter")
	screen = s.waitFor("groups identical but _id: 1 of 3")
	if strings.Contains(screen, `"a@x.com"`) || !strings.Contains(screen, `"c@x.com"`) {
		t.Fatalf("the identical filter shows other groups:\n%s", screen)
	}
	s.send("Escape")
	s.waitFor(`"a@x.com"`)
	s.send("r")
	s.waitFor("Keep rule")
	s.send("Enter")
	s.waitFor("field › updatedAt")
	s.send("Enter")
	s.waitFor("Rule max:updatedAt applied to 3 groups")
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.send("H")
	s.waitFor("write report to ›") // the backup directory, typed in: the file is looked for there below
	s.send("Enter")
	s.waitFor("Report written to")
	pages, err := filepath.Glob(filepath.Join(backup, "dupes-report-*.html"))
	if err != nil || len(pages) != 1 {
		t.Fatalf("reports in the backup directory: %v %v", pages, err)
	}
	page, err := os.ReadFile(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "report", string(page), ns, "b@x.com", "max:updatedAt")
}
