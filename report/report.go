// Package report writes a scan (and the plan made from it) as one self-contained HTML file, for
// a second person to review before anything is deleted: the namespace and key, the counts, the
// shape of the groups, the plan's decisions, the first groups side by side, what the run
// deletes and leaves alone, the backup and the undo command.
//
// It imports only model and the standard library: the command line (dupes report) and the
// TUI's review screen both call it, with the documents read through the one method they share
// (Fetcher). Every value goes through html/template, after the escapes every dupes output
// applies (model.SafeText, Value.Display): a field named <script> is text, never markup.
package report

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// DefaultGroups is how many groups a report shows side by side unless told otherwise.
const DefaultGroups = 20

// MaxColumns is the most members a group shows side by side; the others are counted.
const MaxColumns = 12

// MaxListed is the most plan groups "what will be deleted" lists one by one; the plan file
// lists every one, and the counts cover every one.
const MaxListed = 500

// fetchIDs is about how many _ids Collect asks for at once: the groups' documents are read a
// batch of groups at a time, fed to the shape and dropped, but for the groups shown.
const fetchIDs = 1000

// Fetcher reads documents by _id and returns those found in the order asked: the method that
// the server's client, the TUI's Store and the in-memory store share.
type Fetcher interface {
	FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error)
}

// Input is what a report is made from: a scan's groups, and optionally the plan made from
// them and where its run would put the backup.
type Input struct {
	NS  model.Namespace
	Key model.Key
	// Groups are the scan's groups in scan order.
	Groups []model.Group
	// Notes are said at the top of the report, as they are: what the caller knows that the
	// groups do not say (a group listed in part, a scan narrowed by hand…).
	Notes []string
	// Plan is the plan to review; nil: the scan alone, nothing decided.
	Plan *model.Plan
	// Skipped are the groups, by index in Groups, left alone by hand (the TUI's s).
	Skipped map[int]bool
	// Show is how many groups the report shows side by side: 0 means DefaultGroups, a
	// negative number none.
	Show int
	// URI is the server, its password already redacted: the report names it in the undo
	// command and never holds a password.
	URI string
	// BackupDir is where a run of the plan writes its backup; BackupPath, when known (after
	// a run), is the backup file itself.
	BackupDir, BackupPath string
	// Generated is when the report was made (zero: now).
	Generated time.Time
	// Progress, when not nil, is called after each batch of groups read, with the groups
	// read so far and their total.
	Progress func(done, total int)
}

// Report is a report ready to write.
type Report struct {
	page page
}

// Collect reads the members of every group through f, to lay out the groups shown and to
// learn the shape of all of them, and makes the report. Documents are read a batch of groups
// at a time: only the shown groups' documents are kept.
func Collect(ctx context.Context, f Fetcher, in Input) (*Report, error) {
	b := newBuilder(in)
	for start := 0; start < len(in.Groups); {
		end, n := start, 0
		for end < len(in.Groups) && (n == 0 || n+len(in.Groups[end].IDs) <= fetchIDs) {
			n += len(in.Groups[end].IDs)
			end++
		}
		ids := make([]model.Value, 0, n)
		for _, g := range in.Groups[start:end] {
			ids = append(ids, g.IDs...)
		}
		docs, err := f.FetchDocs(ctx, in.NS, ids)
		if err != nil {
			return nil, fmt.Errorf("report: read the members of %s: %w", in.NS, err)
		}
		byID := make(map[model.Value]model.Doc, len(docs))
		for _, d := range docs {
			byID[d.ID] = d
		}
		for gi := start; gi < end; gi++ {
			members := make([]model.Doc, 0, len(in.Groups[gi].IDs))
			for _, id := range in.Groups[gi].IDs {
				if d, ok := byID[id]; ok {
					members = append(members, d)
				}
			}
			b.add(gi, members)
		}
		start = end
		if in.Progress != nil {
			in.Progress(end, len(in.Groups))
		}
	}
	return &Report{page: b.finish()}, nil
}

// WriteHTML writes the report: one HTML file with its style inline, no script and nothing
// fetched from anywhere.
func (r *Report) WriteHTML(w io.Writer) error {
	return pageTemplate.Execute(w, r.page)
}

// Write is Collect then WriteHTML.
func Write(ctx context.Context, w io.Writer, f Fetcher, in Input) error {
	r, err := Collect(ctx, f, in)
	if err != nil {
		return err
	}
	return r.WriteHTML(w)
}
