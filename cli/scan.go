package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/dupes-tui/dupes/model"
)

// idsShown is how many ids a table row lists before "… +N more".
const idsShown = 5

// runScan is `dupes scan`: find the duplicate groups and print them. It only reads.
func runScan(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("scan")
	var t target
	t.register(fs)
	format := fs.String("format", "table", "output format: table or json")
	withShape := fs.Bool("shape", false, "also measure the groups' shape: sizes, the fields their members differ in, identical copies (reads every member: a second pass)")
	positional, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usagef("scan: --format %q: want table or json", *format)
	}
	req, err := t.check("scan", positional)
	if err != nil {
		return err
	}
	// Ctrl+C cancels the context, which kills the server-side cursor instead of leaving the
	// aggregation running after we are gone.
	ctx, stop := signalContext()
	defer stop()
	c, col, err := req.open(ctx, &t, stderr)
	if err != nil {
		return err
	}
	defer closeClient(c)
	res, err := scanAll(ctx, c, req.ns, req.key, newProgress(stderr))
	if err != nil {
		return err
	}
	// A shape pass that stops (ctrl+c, a lost server) still prints the whole scan, with the
	// shape of the groups measured marked partial, and then fails.
	var shapeErr error
	if *withShape {
		shapeErr = res.measureShape(ctx, c, req.ns, newProgress(stderr))
	}
	if *format == "json" {
		if err := writeScanJSON(stdout, req.ns, req.key, res); err != nil {
			return err
		}
		return shapeErr
	}
	writeScanTable(stdout, req.ns, req.key, res, col.Count)
	if res.shape != nil {
		writeShapeText(stdout, *res.shape)
	}
	return shapeErr
}

// scanJSON is the documented shape of `scan --format json` (docs/cli.md, "dupes scan"). Values are
// canonical Extended JSON; "key" lists the key's field paths, a group's "key" its values in
// the same order; "count" is the group's size, which exceeds len(ids) only for a group too
// large to list in full.
type scanJSON struct {
	NS        string   `json:"ns"`
	Key       []string `json:"key"`
	Semantics string   `json:"semantics"`
	// WholeDocument: a group's "key" is one value, the document as compared (see Ignore).
	WholeDocument bool          `json:"wholeDocument,omitempty"`
	Ignore        []string      `json:"ignore,omitempty"`
	Summary       model.Summary `json:"summary"`
	// Shape, with --shape: the groups' shape (docs/cli.md, "The shape of the groups").
	Shape *model.Shape `json:"shape,omitempty"`
	// Error says why the shape pass stopped; the shape then covers the groups it measured.
	Error  string      `json:"error,omitempty"`
	Groups []groupJSON `json:"groups"`
}

type groupJSON struct {
	Key      []model.Value `json:"key"`
	Count    int           `json:"count"`
	LacksKey bool          `json:"lacksKey,omitempty"`
	IDs      []model.Value `json:"ids"`
}

// writeScanJSON prints the scan as one JSON object, streamed group by group: encoding the whole
// object at once held all of the output in memory (BENCHMARKS.md: 620 MiB more peak RSS for a
// million groups). The bytes are those json.Encoder writes for scanJSON.
func writeScanJSON(w io.Writer, ns model.Namespace, key model.Key, res scanResult) error {
	head, err := marshalCompact(scanJSON{
		NS:            ns.String(),
		Key:           key.Fields,
		Semantics:     key.Semantics(),
		WholeDocument: key.WholeDocument,
		Ignore:        key.Ignore,
		Summary:       res.summary,
		Shape:         res.shape,
		Error:         res.shapeErr,
		Groups:        []groupJSON{},
	})
	if err != nil {
		return err
	}
	// head ends in "[]}": write up to "[", the groups, then "]}". A group is written by hand:
	// its values are already compact JSON (canonical Extended JSON), so this is what the
	// encoder would write, without its garbage (which grew the heap by 220 MiB at 1M groups).
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head[:len(head)-2])
	var line []byte
	for i, g := range res.groups {
		line = line[:0]
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, `{"key":`...)
		line = appendValues(line, g.Key)
		line = append(line, `,"count":`...)
		line = strconv.AppendInt(line, int64(res.trueCount(g)), 10)
		if g.LacksKey() {
			line = append(line, `,"lacksKey":true`...)
		}
		line = append(line, `,"ids":`...)
		line = appendValues(line, g.IDs)
		line = append(line, '}')
		bw.Write(line)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// appendValues appends a JSON array of values as Value.MarshalJSON writes each.
func appendValues(b []byte, vs []model.Value) []byte {
	if vs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		if v == model.Missing {
			b = append(b, "null"...)
			continue
		}
		b = append(b, v...)
	}
	return append(b, ']')
}

// marshalCompact is json.Marshal without HTML escaping, as the encoder writes it.
func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeScanTable(w io.Writer, ns model.Namespace, key model.Key, res scanResult, total int64) {
	fmt.Fprintf(w, "namespace: %s\nkey:       %s\nsemantics: %s\n\n", ns, key, key.Semantics())
	if len(res.groups) == 0 {
		fmt.Fprintln(w, "no duplicates.")
		return
	}
	header := []string{"COUNT"}
	for _, f := range key.Fields {
		header = append(header, model.DisplayPath(strings.ToUpper(f)))
	}
	if key.WholeDocument {
		header = append(header, "DOCUMENT")
	}
	rows := [][]string{append(header, "IDS")}
	for _, g := range res.groups {
		row := []string{fmt.Sprint(res.trueCount(g))}
		for _, v := range g.Key {
			row = append(row, shorten(v.Display(), key.WholeDocument))
		}
		ids := groupIDList(g, res.trueCount(g))
		if g.LacksKey() {
			ids += "  " + lacksMark + ": left alone"
		}
		rows = append(rows, append(row, ids))
	}
	writeColumns(w, rows)
	s := res.summary
	fmt.Fprintf(w, "\n%d groups, %d documents, %d surplus", s.Groups, s.Documents, s.Surplus)
	if share := s.Share(total); share >= 0 {
		fmt.Fprintf(w, " (%.1f%% of about %d documents)", 100*share, total)
	}
	fmt.Fprintln(w)
	if s.LackingKey > 0 {
		fmt.Fprintf(w, "⚑ %d documents lack %s (every key field missing or null): not counted as surplus; "+
			"plan and resolve leave them alone unless --delete-missing\n", s.LackingKey, key)
	}
	for _, o := range res.oversized {
		fmt.Fprintf(w, "group %s: %d documents, only the first %d ids are listed (a result document is limited to 16 MB)\n",
			model.KeyText(o.Key), o.Count, o.Listed)
	}
}

// writeColumns prints rows as left-aligned columns two spaces apart, measured in terminal
// cells: an emoji or a CJK character takes two, which text/tabwriter (counting runes) did not
// know, so a row of wide values pushed its later columns out of line.
func writeColumns(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		for i, c := range r {
			bw.WriteString(c)
			if i < len(r)-1 {
				bw.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		bw.WriteByte('\n')
	}
	bw.Flush()
}

// lacksMark flags the group of documents lacking the key, in the table and the notes.
const lacksMark = "⚑ lacks key"

// groupIDList shows the first ids of a group and how many more there are.
func groupIDList(g model.Group, count int) string {
	n := min(len(g.IDs), idsShown)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.IDs[i].Display()
	}
	s := strings.Join(parts, ", ")
	if more := count - n; more > 0 {
		s += fmt.Sprintf(", … +%d more", more)
	}
	return s
}
