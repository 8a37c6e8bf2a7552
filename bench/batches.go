package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// batches measures what the batch-size constants trade: the cost per document of a find by
// _id list at several list lengths (FetchBatchSize, the executor's re-read), and a plan run
// at several executor batch sizes (DefaultExecBatch).
func (b *bench) batches(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.cmpDocs, Groups: b.cfg.cmpGroups, Seed: 1}
	if _, _, err := b.seed(ctx, c, spec); err != nil {
		return err
	}
	b.rep.printf("## Batch sizes: find by _id list (%d docs)\n\n| ids per find | time per find | time per id |\n|---:|---:|---:|\n", spec.Docs)
	for _, k := range b.cfg.fetchSizes {
		calls := max(3, 20000/k)
		d, err := c.FetchProbe(ctx, spec, k, calls)
		if err != nil {
			return err
		}
		b.rep.printf("| %d | %s | %.1f µs |\n", k, ms(d), float64(d.Microseconds())/float64(k))
	}
	b.rep.printf("\n")

	small := mongobench.Spec{Docs: 10000, Groups: 1500, Seed: 1}
	b.rep.printf("## Batch sizes: executor groups per batch (%d docs, %d groups)\n\n| groups per batch | execute | per group |\n|---:|---:|---:|\n", small.Docs, small.Groups)
	for _, bs := range b.cfg.execBatches {
		st, _, err := b.seed(ctx, c, small)
		if err != nil {
			return err
		}
		d, err := b.executeWith(ctx, bs)
		if err != nil {
			return err
		}
		if err := check(ctx, c, st, "execute"); err != nil {
			return err
		}
		b.rep.printf("| %d | %s | %s |\n", bs, sec(d), ms(d/time.Duration(st.Groups)))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}

// executeWith scans, plans keep-first and times Execute alone at a batch size.
func (b *bench) executeWith(ctx context.Context, batch int) (time.Duration, error) {
	cl, err := mongo.Connect(ctx, b.uri, mongo.Options{})
	if err != nil {
		return 0, err
	}
	defer cl.Close(ctx)
	cur, err := cl.Scan(ctx, benchNS, benchKey)
	if err != nil {
		return 0, err
	}
	groups, err := cur.All(ctx)
	cur.Close(ctx)
	if err != nil {
		return 0, err
	}
	pgs, _ := model.PlanGroups(groups, make([]int, len(groups)), model.ByRule)
	plan := model.Plan{Version: model.PlanVersion, NS: benchNS, Key: benchKey, CreatedAt: time.Now().UTC(), Groups: pgs}
	b.runs++
	dir := filepath.Join(b.tmp, fmt.Sprintf("backup-%d", b.runs))
	defer os.RemoveAll(dir)
	start := time.Now()
	_, err = cl.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir, BatchSize: batch})
	return time.Since(start), err
}
