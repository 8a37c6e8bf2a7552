package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// compare is target 1: `dupes resolve --keep first --yes` against the per-group script on
// identical data, reseeded before each run, rounds interleaved (the order alternates).
func (b *bench) compare(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.resDocs, Groups: b.cfg.resGroups, Seed: 1}
	b.rep.printf("## Resolve vs the per-group script (%d docs, %d groups)\n\n", spec.Docs, spec.Groups)
	b.rep.printf("| round | script | script aggregate | resolve | resolve peak RSS | script ÷ resolve |\n|---:|---:|---:|---:|---:|---:|\n")
	var scripts, resolves []time.Duration
	for r := 0; r < b.cfg.rounds; r++ {
		var (
			base mongobench.BaselineResult
			res  cmdResult
		)
		runScript := func() error {
			st, _, err := b.seed(ctx, c, spec)
			if err != nil {
				return err
			}
			base, err = c.Baseline(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "  script: %s (%d groups)\n", sec(base.Total), base.Groups)
			return check(ctx, c, st, "the script")
		}
		runResolve := func() error {
			st, _, err := b.seed(ctx, c, spec)
			if err != nil {
				return err
			}
			res, err = b.resolve(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "  resolve: %s\n", sec(res.Time))
			return check(ctx, c, st, "dupes resolve")
		}
		first, second := runScript, runResolve
		if r%2 == 1 {
			first, second = runResolve, runScript
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		scripts, resolves = append(scripts, base.Total), append(resolves, res.Time)
		b.rep.printf("| %d | %s | %s | %s | %s | %s |\n", r+1, sec(base.Total), sec(base.Aggregate),
			sec(res.Time), mib(res.PeakRSS), ratio(base.Total, res.Time))
	}
	b.rep.printf("| median | %s | | %s | | **%s** |\n\n", sec(median(scripts)), sec(median(resolves)), ratio(median(scripts), median(resolves)))
	return c.Drop(ctx)
}

// scanVsFloor is target 2: `dupes scan --format json` against the bare aggregation drained
// through the driver, and the adapter's in-process scan between the two, on one seeded
// collection, rounds interleaved.
func (b *bench) scanVsFloor(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.cmpDocs, Groups: b.cfg.cmpGroups, Seed: 1}
	if _, _, err := b.seed(ctx, c, spec); err != nil {
		return err
	}
	b.rep.printf("## Scan vs the bare aggregation (%d docs, %d groups)\n\n", spec.Docs, spec.Groups)
	b.rep.printf("| round | bare aggregation | in-process Scan+All | `dupes scan --format json` | scan peak RSS | scan ÷ bare |\n|---:|---:|---:|---:|---:|---:|\n")
	// One untimed run first: the server's JIT compiles the aggregation's code paths on the
	// first runs, which would otherwise count against whichever side runs first.
	if _, err := c.BareScan(ctx, benchKey); err != nil {
		return err
	}
	var floors, inprocs, scans []time.Duration
	for r := 0; r < b.cfg.rounds; r++ {
		var (
			fl mongobench.FloorResult
			ip time.Duration
			n  int
			sc cmdResult
		)
		steps := []func() error{
			func() (err error) { fl, err = c.BareScan(ctx, benchKey); return err },
			func() (err error) { ip, n, err = b.scanInProcess(ctx); return err },
			func() (err error) { sc, err = b.scan(ctx); return err },
		}
		// Rotate the order each round, so no side always follows another's garbage on the server.
		for k := range steps {
			if err := steps[(k+r)%len(steps)](); err != nil {
				return err
			}
		}
		if n != fl.Groups {
			return fmt.Errorf("in-process scan found %d groups, the bare aggregation %d", n, fl.Groups)
		}
		floors, inprocs, scans = append(floors, fl.Time), append(inprocs, ip), append(scans, sc.Time)
		b.rep.printf("| %d | %s | %s | %s | %s | %s |\n", r+1, sec(fl.Time), sec(ip), sec(sc.Time), mib(sc.PeakRSS), ratio(sc.Time, fl.Time))
	}
	b.rep.printf("| median | %s | %s | %s | | **%s** |\n\n", sec(median(floors)), sec(median(inprocs)), sec(median(scans)), ratio(median(scans), median(floors)))
	return c.Drop(ctx)
}

// curve is target 5: scan and resolve at each size, time and peak memory, and the script
// where it finishes in reasonable time.
func (b *bench) curve(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	b.rep.printf("## Scaling curve (groups = %.0f%% of documents)\n\n", b.cfg.ratio*100)
	b.rep.printf("| docs | groups | seed | server live heap after seed | bare aggregation | scan | scan peak RSS | resolve | resolve peak RSS | script |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, n := range b.cfg.sizes {
		spec := mongobench.Spec{Docs: n, Groups: int(float64(n) * b.cfg.ratio), Seed: 1}
		st, sd, err := b.seed(ctx, c, spec)
		if err != nil {
			return err
		}
		// The JVM keeps the heap it grew for earlier sizes, so its RSS says little per size:
		// the live heap after a full GC is the data's own cost.
		seededHeap := b.serverLiveHeap()
		if i == 0 { // untimed: let the server's JIT compile the aggregation first
			if _, err := c.BareScan(ctx, benchKey); err != nil {
				return err
			}
		}
		fl, err := c.BareScan(ctx, benchKey)
		if err != nil {
			return err
		}
		sc, err := b.scan(ctx)
		if err != nil {
			return err
		}
		resTime, resRSS := "not run", "–"
		if n <= b.cfg.resolveMax {
			res, err := b.resolve(ctx)
			if err != nil {
				return err
			}
			if err := check(ctx, c, st, "dupes resolve"); err != nil {
				return err
			}
			resTime, resRSS = sec(res.Time), mib(res.PeakRSS)
		}
		script := "not run"
		if n <= b.cfg.baselineMax {
			if _, _, err := b.seed(ctx, c, spec); err != nil {
				return err
			}
			base, err := c.Baseline(ctx)
			if err != nil {
				return err
			}
			if err := check(ctx, c, st, "the script"); err != nil {
				return err
			}
			script = sec(base.Total)
		}
		b.rep.printf("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, st.Groups, sec(sd), mib(seededHeap),
			sec(fl.Time), sec(sc.Time), mib(sc.PeakRSS), resTime, resRSS, script)
		if err := c.Drop(ctx); err != nil {
			return err
		}
	}
	b.rep.printf("\n")
	return nil
}
