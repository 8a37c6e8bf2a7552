package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// compare is target 1: `dupes resolve --keep first --yes --backup DIR` against the per-group
// script run by real mongosh (bench/dedupe.js), on identical data reseeded before each run,
// rounds interleaved (the order rotates). The same script through the Go driver
// (mongobench.Baseline: no node start, no shell) is a second line, unless -go-baseline=false.
func (b *bench) compare(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.resDocs, Groups: b.cfg.resGroups, Seed: 1}
	b.rep.printf("## Resolve vs the mongosh script (%d docs, %d groups)\n\n", spec.Docs, spec.Groups)
	start, err := b.mongoshStart(ctx)
	if err != nil {
		return err
	}
	b.rep.printf("mongosh %s, `%s`; its start and connect alone (`--eval 1`): %s, peak RSS %s.\n\n",
		mongoshVersion, scriptFile, sec(start.Time), mib(start.PeakRSS))
	b.rep.printf("| round | mongosh script | script peak RSS | `dupes resolve` | resolve peak RSS | script ÷ resolve | Go-driver loop | loop ÷ resolve |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var scripts, loops, resolves []time.Duration
	for r := 0; r < b.cfg.rounds; r++ {
		var (
			sh   scriptResult
			loop mongobench.BaselineResult
			res  cmdResult
		)
		steps := []func() error{
			func() error {
				return b.cleanup(ctx, c, spec, "the mongosh script", func(st mongobench.Stats) (err error) {
					if sh, err = b.script(ctx); err != nil {
						return err
					}
					fmt.Fprintf(os.Stderr, "  mongosh script: %s (%d groups, %d deleted)\n", sec(sh.Time), sh.Groups, sh.Deleted)
					if sh.Groups != st.Groups || sh.Deleted != int64(st.Surplus) {
						return fmt.Errorf("the mongosh script did %d groups, %d deletes; the seed has %d groups, %d surplus", sh.Groups, sh.Deleted, st.Groups, st.Surplus)
					}
					return nil
				})
			},
			func() error {
				return b.cleanup(ctx, c, spec, "dupes resolve", func(mongobench.Stats) (err error) {
					res, err = b.resolve(ctx)
					fmt.Fprintf(os.Stderr, "  resolve: %s\n", sec(res.Time))
					return err
				})
			},
		}
		if b.cfg.goBaseline {
			steps = append(steps, func() error {
				return b.cleanup(ctx, c, spec, "the Go-driver loop", func(mongobench.Stats) (err error) {
					loop, err = c.Baseline(ctx)
					fmt.Fprintf(os.Stderr, "  Go-driver loop: %s (%d groups)\n", sec(loop.Total), loop.Groups)
					return err
				})
			})
		}
		for k := range steps {
			if err := steps[(k+r)%len(steps)](); err != nil {
				return err
			}
		}
		scripts, resolves = append(scripts, sh.Time), append(resolves, res.Time)
		loopTime, loopRatio := "not run", "–"
		if b.cfg.goBaseline {
			loops = append(loops, loop.Total)
			loopTime, loopRatio = sec(loop.Total), ratio(loop.Total, res.Time)
		}
		b.rep.printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", r+1, sec(sh.Time), mib(sh.PeakRSS),
			sec(res.Time), mib(res.PeakRSS), ratio(sh.Time, res.Time), loopTime, loopRatio)
	}
	if b.cfg.rounds > 1 {
		loopTime, loopRatio := "not run", "–"
		if b.cfg.goBaseline {
			loopTime, loopRatio = sec(median(loops)), ratio(median(loops), median(resolves))
		}
		b.rep.printf("| median | %s | | %s | | **%s** | %s | %s |\n", sec(median(scripts)), sec(median(resolves)),
			ratio(median(scripts), median(resolves)), loopTime, loopRatio)
	}
	b.rep.printf("\n")
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

// curve is target 5: scan and resolve at each size, time and peak memory, and the mongosh
// script where it finishes in reasonable time.
func (b *bench) curve(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	b.rep.printf("## Scaling curve (groups = %.0f%% of documents)\n\n", b.cfg.ratio*100)
	b.rep.printf("| docs | groups | seed | server live heap after seed | bare aggregation | scan | scan peak RSS | resolve | resolve peak RSS | mongosh script |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
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
			sh, err := b.script(ctx)
			if err != nil {
				return err
			}
			if err := check(ctx, c, st, "the mongosh script"); err != nil {
				return err
			}
			script = sec(sh.Time)
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
