package cli

import (
	"fmt"
	"regexp"
	"testing"
	"time"
)

// TestTUICountsAndCensusLive: on the live server, the key screen's GROUPS and SURPLUS columns
// show what a scan of each field and non-unique index finds, and the census of the database
// (c on its collection list) lists the same counts by surplus, the view apart.
func TestTUICountsAndCensusLive(t *testing.T) {
	f := newFixture(t)
	// email: a×3 and b×2 (2 groups, 3 surplus) among 9 distinct values, so it looks unique;
	// city: 3 values over 12 documents (3 groups, 9 surplus), under a non-unique index.
	var docs []map[string]any
	emails := []string{"a", "a", "a", "b", "b", "c", "d", "e", "f", "g", "h", "i"}
	for i, e := range emails {
		docs = append(docs, map[string]any{"_id": i, "email": e + "@x.com", "city": []string{"Oslo", "Rome", "Lima"}[i%3]})
	}
	f.insert("people", docs...)
	f.createIndex("people", indexSpec{Key: map[string]int{"city": 1}, Name: "city_1"})

	s := startTmux(t, fmt.Sprintf("exec env -u MONGODB_URI %s '%s' --ns %s", binary, f.uri, f.ns("people")))
	screen := s.waitFor("duplicates counted for")
	for what, re := range map[string]string{
		"email": `\[ \] email\s+100%\s+2\s+3\s`,
		"city":  `\[ \] city\s+100%\s+3\s+9\s`,
		"index": `city_1\s+3\s+9\s`,
	} {
		if !regexp.MustCompile(re).MatchString(screen) {
			t.Errorf("the key screen shows no %s count like %s:\n%s", what, re, screen)
		}
	}

	s.send("Escape") // opened with --ns: back to the database list
	s.waitFor("enter open database")
	// The fixture's database, whose name the list may cut: other tests' databases are there too.
	mine := regexp.MustCompile(`› ` + regexp.QuoteMeta(f.db[:min(len(f.db), 28)]))
	for try := 0; !mine.MatchString(s.screen()); try++ {
		if try == 200 {
			t.Fatalf("the database list never put the cursor on %s:\n%s", f.db, s.screen())
		}
		s.send("Down")
		time.Sleep(20 * time.Millisecond)
	}
	s.send("Enter")
	s.waitFor("Collections of " + f.db)
	s.send("c")
	screen = s.waitFor("all counted")
	// city_1 (9 surplus) comes before email (3).
	if !regexp.MustCompile(`(?s)people\s+index city_1 city\s+3\s+9\s.*people\s+email\s+2\s+3\s`).MatchString(screen) {
		t.Errorf("the census does not list city_1 then email with their counts:\n%s", screen)
	}
}
