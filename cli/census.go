package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// defaultCensusBudget bounds a census that names no budget: long enough to count a few
// collections of a million documents, short enough to run before deciding anything.
const defaultCensusBudget = 60 * time.Second

// runCensus is `dupes census`: where a database's duplicates are. For each collection it
// counts the candidate keys (non-unique indexes, unique-looking sampled fields, the whole
// document) within a budget, and prints them by surplus with what it did not get to. It only
// reads.
func runCensus(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("census")
	uriFlag := fs.String("uri", "", "MongoDB URI (default $MONGODB_URI, else "+mongo.DefaultURI+")")
	db := fs.String("db", "", "database whose collections to count")
	budget := fs.Duration("budget", defaultCensusBudget, "time the census may take, listing included (0: no limit); "+
		"a count still running then is stopped and named as not done")
	maxDocs := fs.Int64("max-docs", 0, "documents the counts may read in all (each count reads its collection once; 0: no limit)")
	sample := fs.Int("sample", mongo.DefaultSample, "documents sampled per collection to find its fields")
	format := fs.String("format", "table", "output format: table or json (fields in docs/cli.md)")
	var read readFlags
	read.register(fs)
	positional, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *format != "table" && *format != "json":
		return usagef("census: --format %q: want table or json", *format)
	case *db == "":
		return usagef("census: --db is required")
	case strings.ContainsAny(*db, "/\\. \"$\x00"):
		return usagef("census: --db %q is not a database name", *db)
	case *budget < 0 || *maxDocs < 0 || *sample <= 0:
		return usagef("census: --budget and --max-docs cannot be negative, --sample must be positive")
	}
	if err := read.check("census"); err != nil {
		return err
	}
	uri, err := uriFrom("census", *uriFlag, positional)
	if err != nil {
		return err
	}
	// Ctrl+C (or SIGTERM) ends the census with what it has: the counts done are printed, the
	// rest is named as not done, and the exit status is 1.
	ctx, stop := signalContext()
	defer stop()
	req := censusRequest{uri: uri, db: *db, json: *format == "json", read: read,
		opt: model.CensusOptions{Budget: model.Budget{Time: *budget, Docs: *maxDocs}, Sample: *sample}}
	return req.run(ctx, stdout, stderr, nil)
}

// censusRequest is a census to take and how to print it.
type censusRequest struct {
	uri, db string
	json    bool
	read    readFlags // --read-preference, --max-time
	opt     model.CensusOptions
}

// run takes the census and prints it; counted, when set, hears of each result (the tests
// cancel ctx from it, as Ctrl+C would).
func (r censusRequest) run(ctx context.Context, stdout, stderr io.Writer, counted func(model.CandidateCount)) error {
	opt := r.read.options("census")
	opt.ReadOnly = true
	c, err := mongo.Connect(ctx, r.uri, opt)
	if err != nil {
		return err
	}
	defer closeClient(c)
	prog := newProgress(stderr)
	n := 0
	cs, err := c.Census(ctx, r.db, r.opt, func(res model.CandidateCount) {
		n++
		prog.printf("census %s: %d counted; last %s %s", r.db, n, res.NS.Coll, res.Key)
		if counted != nil {
			counted(res)
		}
	})
	prog.done()
	if err != nil {
		return err
	}
	if r.json {
		err = writeCensusJSON(stdout, cs, r.opt.Budget, ctx.Err() != nil)
	} else {
		writeCensusTable(stdout, cs, r.opt.Budget)
	}
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("census interrupted: %d candidate(s) or collection(s) not counted", len(cs.NotDone))
	}
	return nil
}

// censusJSON is the documented shape of `census --format json` (docs/cli.md, "dupes census").
type censusJSON struct {
	DB          string           `json:"db"`
	Complete    bool             `json:"complete"`
	Interrupted bool             `json:"interrupted"`
	Elapsed     float64          `json:"elapsedSeconds"`
	Budget      censusBudgetJSON `json:"budget"`
	Collections int              `json:"collections"`
	Candidates  []candidateJSON  `json:"candidates"`
	NotDone     []notDoneJSON    `json:"notDone"`
	NotScanned  []notScannedJSON `json:"notScanned"`
}

type censusBudgetJSON struct {
	Seconds   float64 `json:"seconds"`
	Documents int64   `json:"documents"`
}

type candidateJSON struct {
	NS      string     `json:"ns"`
	Kind    string     `json:"kind"`
	Key     *model.Key `json:"key,omitempty"`
	KeyText string     `json:"keyText,omitempty"`
	Why     string     `json:"why,omitempty"`
	Groups  int64      `json:"groups"`
	Surplus int64      `json:"surplus"`
	ByScan  bool       `json:"byScan,omitempty"`
	Seconds float64    `json:"seconds"`
	Error   string     `json:"error,omitempty"`
}

type notDoneJSON struct {
	NS      string     `json:"ns"`
	Kind    string     `json:"kind"`
	Key     *model.Key `json:"key,omitempty"`
	KeyText string     `json:"keyText,omitempty"`
	Reason  string     `json:"reason"`
}

type notScannedJSON struct {
	NS     string `json:"ns"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

// candidateKey is a candidate's key for output, or nil for a whole collection.
func candidateKey(c model.Candidate) (*model.Key, string) {
	if c.Kind == model.CandidateCollection {
		return nil, ""
	}
	k := c.Key
	return &k, k.String()
}

func writeCensusJSON(w io.Writer, cs model.Census, b model.Budget, interrupted bool) error {
	out := censusJSON{DB: cs.DB, Complete: cs.Complete(), Interrupted: interrupted, Elapsed: cs.Elapsed.Seconds(),
		Budget: censusBudgetJSON{Seconds: b.Time.Seconds(), Documents: b.Docs}, Collections: cs.Collections,
		Candidates: []candidateJSON{}, NotDone: []notDoneJSON{}, NotScanned: []notScannedJSON{}}
	for _, r := range cs.Results {
		key, text := candidateKey(r.Candidate)
		cj := candidateJSON{NS: r.NS.String(), Kind: string(r.Kind), Key: key, KeyText: text, Why: r.Why,
			Groups: r.Count.Groups, Surplus: r.Count.Surplus, ByScan: r.Count.ByScan, Seconds: r.Elapsed.Seconds()}
		if r.Err != nil {
			cj.Error = r.Err.Error()
		}
		out.Candidates = append(out.Candidates, cj)
	}
	for _, n := range cs.NotDone {
		key, text := candidateKey(n.Candidate)
		out.NotDone = append(out.NotDone, notDoneJSON{NS: n.NS.String(), Kind: string(n.Kind), Key: key, KeyText: text, Reason: n.Reason})
	}
	for _, u := range cs.Unscanned {
		out.NotScanned = append(out.NotScanned, notScannedJSON{NS: u.NS.String(), Type: string(u.Type), Reason: u.Reason})
	}
	js, err := marshalCompact(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", js)
	return err
}

// writeCensusTable prints the census for people: one row per counted candidate, most surplus
// first, then the collections listed but not scanned, then what was not done. Every name is
// data and is escaped (model.SafeText); the rows are aligned in terminal cells.
func writeCensusTable(w io.Writer, cs model.Census, b model.Budget) {
	fmt.Fprintf(w, "database: %s\n", model.SafeText(cs.DB))
	fmt.Fprintf(w, "%d collection(s) examined, %d listed but not scanned, in %s", cs.Collections, len(cs.Unscanned),
		cs.Elapsed.Round(100*time.Millisecond))
	if b.Time > 0 {
		fmt.Fprintf(w, " of a %s budget", b.Time)
	}
	if b.Docs > 0 {
		fmt.Fprintf(w, " (at most %d documents read)", b.Docs)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	if len(cs.Results) == 0 {
		fmt.Fprintln(w, "nothing counted.")
	} else {
		rows := [][]string{{"SURPLUS", "GROUPS", "COLLECTION", "KIND", "KEY", "WHY"}}
		for _, r := range cs.Results {
			_, key := candidateKey(r.Candidate)
			row := []string{fmt.Sprint(r.Count.Surplus), fmt.Sprint(r.Count.Groups), model.SafeText(r.NS.Coll), string(r.Kind), key}
			switch {
			case r.Err != nil:
				row[0], row[1] = "-", "-"
				row = append(row, "not counted: "+model.SafeText(firstLine(r.Err)))
			case r.Count.ByScan:
				row = append(row, model.SafeText(r.Why)+" (counted by scanning)")
			default:
				row = append(row, model.SafeText(r.Why))
			}
			rows = append(rows, row)
		}
		alignRight(rows, 0, 1)
		writeColumns(w, rows)
	}
	if len(cs.Unscanned) > 0 {
		fmt.Fprintln(w, "\nlisted, not scanned:")
		rows := [][]string{}
		for _, u := range cs.Unscanned {
			rows = append(rows, []string{"  " + model.SafeText(u.NS.Coll), model.SafeText(u.Reason)})
		}
		writeColumns(w, rows)
	}
	if len(cs.NotDone) > 0 {
		fmt.Fprintf(w, "\nnot done (%d):\n", len(cs.NotDone))
		rows := [][]string{}
		for _, n := range cs.NotDone {
			_, key := candidateKey(n.Candidate)
			rows = append(rows, []string{"  " + model.SafeText(n.NS.Coll), string(n.Kind), key, n.Reason})
		}
		writeColumns(w, rows)
		fmt.Fprintln(w, "run again with a larger --budget or --max-docs, or count one key with dupes scan")
	}
}

// alignRight pads the given columns on the left to their widest cell: numbers line up.
func alignRight(rows [][]string, cols ...int) {
	for _, c := range cols {
		width := 0
		for _, r := range rows {
			width = max(width, len(r[c]))
		}
		for _, r := range rows {
			r[c] = strings.Repeat(" ", width-len(r[c])) + r[c]
		}
	}
}

// firstLine is an error's first line: a table row holds one.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
