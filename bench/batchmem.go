package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// batchMemCase is one collection of the batch-memory experiment: docs documents of size bytes,
// in pairs on the key.
type batchMemCase struct {
	docs, size int
}

var batchMemCases = []batchMemCase{{400, 2 << 20}, {2000, 1 << 10}}

// batchMemory is the peak RSS of the commands that write in batches (resolve, apply, restore)
// on large documents and on small ones: what one batch's bytes cost, whatever its count. Each
// command runs on a fresh seed (restore puts back what the resolve before it deleted), and
// every run is checked. -dupes runs another build (an older commit's), -batch-args adds flags
// to the three commands.
func (b *bench) batchMemory(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	extra := strings.Fields(b.cfg.batchArgs)
	b.rep.printf("## Memory by batch bytes: peak RSS of the batch commands (binary %s, extra flags %q)\n\n", b.bin, b.cfg.batchArgs)
	b.rep.printf("| documents | size | resolve | resolve peak RSS | restore | restore peak RSS | apply | apply peak RSS |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, bc := range batchMemCases {
		st, err := c.SeedPadded(ctx, bc.docs, bc.size)
		if err != nil {
			return err
		}
		b.runs++
		dir := filepath.Join(b.tmp, "backup-"+strconv.Itoa(b.runs))
		res, err := runMeasured(ctx, b.bin, append([]string{"resolve", "--uri", b.uri, "--ns", benchNS.String(),
			"--key", mongobench.KeyField, "--keep", "first", "--yes", "--backup", dir}, extra...)...)
		if err != nil {
			return err
		}
		if err := check(ctx, c, st, "resolve"); err != nil {
			return err
		}
		rst, err := runMeasured(ctx, b.bin, append([]string{"restore", "--uri", b.uri, "--backup", dir, "--yes"}, extra...)...)
		if err != nil {
			return err
		}
		if n, err := c.Count(ctx); err != nil || n != int64(bc.docs) {
			return fmt.Errorf("restore left %d documents (%v), want %d", n, err, bc.docs)
		}
		os.RemoveAll(dir)
		plan := filepath.Join(b.tmp, "plan.json")
		if _, err := runMeasured(ctx, b.bin, "plan", "--uri", b.uri, "--ns", benchNS.String(),
			"--key", mongobench.KeyField, "--keep", "first", "--out", plan); err != nil {
			return err
		}
		app, err := runMeasured(ctx, b.bin, append([]string{"apply", "--uri", b.uri, "--plan", plan, "--yes", "--backup", dir}, extra...)...)
		if err != nil {
			return err
		}
		if err := check(ctx, c, st, "apply"); err != nil {
			return err
		}
		os.RemoveAll(dir)
		fmt.Fprintf(os.Stderr, "  %d × %s: resolve %s, restore %s, apply %s\n", bc.docs, bytesText(bc.size), mib(res.PeakRSS), mib(rst.PeakRSS), mib(app.PeakRSS))
		b.rep.printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", bc.docs, bytesText(bc.size),
			sec(res.Time), mib(res.PeakRSS), sec(rst.Time), mib(rst.PeakRSS), sec(app.Time), mib(app.PeakRSS))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}

// bytesText is a document size as the table shows it: 2 MiB, 1 KiB.
func bytesText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
