package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// formatFlag registers --format for apply, resolve and restore.
func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "text", "output: text, or json (one object on stdout; fields in docs/cli.md)")
}

// checkFormat refuses an unknown --format.
func checkFormat(cmd, format string) error {
	if format != "text" && format != "json" {
		return usagef("%s: --format must be text or json, not %q", cmd, format)
	}
	return nil
}

// runOutput collects what apply or resolve did, for --format json: the text output goes
// nowhere, and one object is printed at the end, error or not. Its field names are a stable
// interface (docs/cli.md, "JSON output"): add fields, never rename or remove one.
type runOutput struct {
	w   io.Writer // the real stdout; nil for text output
	obj runJSON
}

type runJSON struct {
	Command string          `json:"command"` // "apply" or "resolve"
	NS      model.Namespace `json:"ns"`
	URI     string          `json:"uri"` // the server, password shown as ****
	DryRun  bool            `json:"dryRun"`
	Plan    *planJSON       `json:"plan"`   // null when the command stopped before having one
	Report  *model.Report   `json:"report"` // null when nothing ran (a dry run, or an early error)
	Index   *indexJSON      `json:"index,omitempty"`
	Error   string          `json:"error,omitempty"`
}

type planJSON struct {
	Digest    string    `json:"digest"`
	Key       model.Key `json:"key"`
	Semantics string    `json:"semantics"`
	Rule      string    `json:"rule,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	Groups    int       `json:"groups"`
	Deletes   int       `json:"deletes"`
	// Incomplete says a streamed resolve stopped before it planned the whole scan: Groups and
	// Deletes count what it planned so far, not what the collection holds.
	Incomplete bool `json:"incomplete,omitempty"`
}

type indexJSON struct {
	Name  string `json:"name"`
	Built bool   `json:"built"`
	Error string `json:"error,omitempty"`
}

// newRunOutput starts the output of a run; text returns the writer the command's text output
// should go to (nowhere, with json).
func newRunOutput(cmd, format, uri string, dryRun bool, stdout io.Writer) (*runOutput, error) {
	if err := checkFormat(cmd, format); err != nil {
		return nil, err
	}
	o := &runOutput{obj: runJSON{Command: cmd, URI: mongo.Redact(uri), DryRun: dryRun}}
	if format == "json" {
		o.w = stdout
	}
	return o, nil
}

func (o *runOutput) text(stdout io.Writer) io.Writer {
	if o.w != nil {
		return io.Discard
	}
	return stdout
}

func (o *runOutput) plan(p model.Plan) {
	o.obj.NS = p.NS
	o.obj.Plan = &planJSON{Digest: p.Digest(), Key: p.Key, Semantics: p.Semantics, Rule: p.Rule,
		CreatedAt: p.CreatedAt, Groups: len(p.Groups), Deletes: p.Deletes()}
}

func (o *runOutput) ran(rep model.Report) {
	if rep.StartedAt.IsZero() && rep.BackupPath == "" {
		return // refused before it started
	}
	if rep.Groups == nil {
		rep.Groups = []model.GroupResult{}
	}
	o.obj.Report = &rep
}

func (o *runOutput) index(name string, err error) {
	o.obj.Index = &indexJSON{Name: name, Built: err == nil}
	if err != nil {
		o.obj.Index.Error = err.Error()
	}
}

// finish prints the JSON object (with the error, which Main also prints to stderr) and passes
// the error on, so the exit status does not depend on the format.
func (o *runOutput) finish(err error) error {
	if o == nil || o.w == nil {
		return err
	}
	if err != nil {
		o.obj.Error = err.Error()
	}
	writeJSON(o.w, o.obj)
	return err
}

// restoreJSON is restore's --format json object: the report, the server, and the error.
type restoreJSON struct {
	URI string `json:"uri"`
	model.RestoreReport
	Error string `json:"error,omitempty"`
}

func printRestoreJSON(w io.Writer, uri string, rep model.RestoreReport, err error) error {
	obj := restoreJSON{URI: mongo.Redact(uri), RestoreReport: rep}
	if obj.Files == nil {
		obj.Files = []model.RestoreFile{}
	}
	if err != nil {
		obj.Error = err.Error()
	}
	writeJSON(w, obj)
	return err
}

// printGroupErrors says each distinct group failure once, with the groups it hit, leaving out
// the error that stopped the run: Main prints that one, so a failure is said once, not once per
// group of the batch (a full disk would otherwise print the same error for 500 groups).
func printGroupErrors(w io.Writer, plan model.Plan, rep model.Report, runErr error) {
	groups := map[string][]string{}
	var order []string
	for _, g := range rep.Groups {
		if g.Error == "" || g.Group < 0 || g.Group >= len(plan.Groups) || (runErr != nil && g.Error == runErr.Error()) {
			continue
		}
		if _, ok := groups[g.Error]; !ok {
			order = append(order, g.Error)
		}
		groups[g.Error] = append(groups[g.Error], model.KeyText(plan.Groups[g.Group].Key))
	}
	sort.SliceStable(order, func(i, j int) bool { return len(groups[order[i]]) > len(groups[order[j]]) })
	for _, msg := range order {
		keys := groups[msg]
		if len(keys) == 1 {
			fmt.Fprintf(w, "  group %s failed: %s\n", keys[0], msg)
			continue
		}
		shown := keys[:min(len(keys), 5)]
		more := ""
		if len(keys) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(keys)-len(shown))
		}
		fmt.Fprintf(w, "  %d groups failed (%s%s): %s\n", len(keys), strings.Join(shown, ", "), more, msg)
	}
}

// printUndo says where the backup is and how to put it back; nothing when the backup holds
// no document (rep.Undo is empty), as there is nothing to undo.
func printUndo(w io.Writer, rep model.Report) {
	if rep.Undo == "" {
		return
	}
	fmt.Fprintf(w, "backup: %s\n", rep.BackupPath)
	if rep.ManifestPath != "" {
		fmt.Fprintf(w, "manifest: %s\n", rep.ManifestPath)
	}
	fmt.Fprintf(w, "to undo: %s\n", rep.Undo)
}
