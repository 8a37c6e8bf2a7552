package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// scanResult is a whole scan: the groups, and those cut at MaxGroupIDs with their true counts.
type scanResult struct {
	groups    []model.Group
	oversized []mongo.Oversized
	summary   model.Summary
	// shape, with --shape: the groups' shape, partial when its pass stopped (shapeErr says why).
	shape    *model.Shape
	shapeErr string
}

// scanAll runs the scan to the end, reporting progress on a terminal.
func scanAll(ctx context.Context, c *mongo.Client, ns model.Namespace, key model.Key, prog *progress) (scanResult, error) {
	var res scanResult
	cur, err := c.Scan(ctx, ns, key)
	if err != nil {
		return res, err
	}
	defer closeScan(cur)
	for {
		gs, err := cur.NextBatch(ctx, mongo.ScanBatchSize)
		res.groups = append(res.groups, gs...)
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		prog.printf("scanning %s: %d groups so far", ns, len(res.groups))
	}
	prog.done()
	res.oversized = cur.Oversized()
	res.summary = summarize(res.groups, res.oversized)
	return res, nil
}

// closeScan closes a scan's cursor even when the scan's ctx is cancelled: that is when the
// server's cursor must go.
func closeScan(cur *mongo.Cursor) {
	cctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = cur.Close(cctx)
}

// summarize counts the groups, at their true sizes: a group cut at MaxGroupIDs counts all of
// its members (as lacking the key, when it does: the usual case of a large group).
func summarize(groups []model.Group, oversized []mongo.Oversized) model.Summary {
	s := model.Summarize(groups)
	for _, o := range oversized {
		if (model.Group{Key: o.Key}).LacksKey() {
			s.LackingKey += o.Count - o.Listed
			continue
		}
		s.Documents += o.Count - o.Listed
		s.Surplus += o.Count - o.Listed
	}
	return s
}

// trueCount is a group's member count, the server's when its ids were cut short.
func (res scanResult) trueCount(g model.Group) int {
	for _, o := range res.oversized {
		if len(o.Key) == len(g.Key) && o.Listed == len(g.IDs) && sameValues(o.Key, g.Key) {
			return o.Count
		}
	}
	return g.Count()
}

// whole returns the groups a plan may act on: those listed in full, and the others as
// tooLarge, each said on stderr, except a group lacking the key that the plan leaves alone
// anyway. The command ends in tooLarge's error after doing the rest, so a group too large to
// list is never a silent "no duplicates".
func (res scanResult) whole(stderr io.Writer, deleteMissing bool) ([]model.Group, tooLarge) {
	if len(res.oversized) == 0 {
		return res.groups, nil
	}
	var left tooLarge
	out := make([]model.Group, 0, len(res.groups))
	for _, g := range res.groups {
		if n := res.trueCount(g); n > g.Count() {
			if g.LacksKey() && !deleteMissing {
				continue
			}
			fmt.Fprintf(stderr, "warning: group %s has %d documents, more than one scan lists (%d): it is left out of the plan; "+
				"narrow the scan with --filter to clean it up\n", model.KeyText(g.Key), n, g.Count())
			left = append(left, fmt.Sprintf("%s (%d documents)", model.KeyText(g.Key), n))
			continue
		}
		out = append(out, g)
	}
	return out, left
}

// tooLarge lists the groups left out of a plan because one scan cannot list them: their keys
// and sizes.
type tooLarge []string

// err is the command's error for them, or nil: exit status 1 with every key, after the rest
// of the plan was written or run.
func (t tooLarge) err() error {
	if len(t) == 0 {
		return nil
	}
	shown := t[:min(len(t), 10)]
	more := ""
	if len(t) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(t)-len(shown))
	}
	return fmt.Errorf("%d groups too large to list were left out of the plan: %s%s; narrow the scan with --filter "+
		"(or clean them up by a key that splits them) and run again", len(t), strings.Join(shown, ", "), more)
}

func sameValues(a, b []model.Value) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
