package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// floor sets `dupes resolve --keep first --yes --backup DIR` beside the engine's floor for
// the same work (mongobench.ResolveFloor: the bare scan, unguarded batched
// deleteMany({_id: {$in: …}}) of the same surplus, and the same backup bytes written), on
// identical data reseeded before each side, rounds interleaved. resolve ÷ floor is the
// performance target after the 10x over the script; the find that reads the backup's bytes
// is shown apart, and a second ratio counts it in the floor.
func (b *bench) floor(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.resDocs, Groups: b.cfg.resGroups, Seed: 1}
	b.rep.printf("## Resolve vs the engine's floor (%d docs, %d groups)\n\n", spec.Docs, spec.Groups)
	b.rep.printf("| round | bare scan | deleteMany by _id | backup write | **floor** | (find by _id) | `dupes resolve` | resolve peak RSS | resolve ÷ floor | resolve ÷ (floor + find) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var floors, reads, resolves []time.Duration
	for r := 0; r < b.cfg.rounds; r++ {
		var (
			fl  mongobench.ResolveFloorResult
			res cmdResult
		)
		steps := []func() error{
			func() error {
				return b.cleanup(ctx, c, spec, "the floor", func(st mongobench.Stats) (err error) {
					b.runs++
					path := filepath.Join(b.tmp, "floor-"+strconv.Itoa(b.runs)+".bson")
					defer os.Remove(path)
					if fl, err = c.ResolveFloor(ctx, benchKey, path); err != nil {
						return err
					}
					fmt.Fprintf(os.Stderr, "  floor: %s (scan %s, delete %s, write %s; find %s; %d deleted, %d bytes)\n",
						sec(fl.Floor()), sec(fl.Scan), sec(fl.Delete), sec(fl.Write), sec(fl.Read), fl.Deleted, fl.Bytes)
					if fl.Deleted != int64(st.Surplus) {
						return fmt.Errorf("the floor deleted %d, the seed has %d surplus", fl.Deleted, st.Surplus)
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
		for k := range steps {
			if err := steps[(k+r)%len(steps)](); err != nil {
				return err
			}
		}
		floors, reads, resolves = append(floors, fl.Floor()), append(reads, fl.Floor()+fl.Read), append(resolves, res.Time)
		b.rep.printf("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r+1, sec(fl.Scan), sec(fl.Delete), sec(fl.Write),
			sec(fl.Floor()), sec(fl.Read), sec(res.Time), mib(res.PeakRSS), ratio(res.Time, fl.Floor()), ratio(res.Time, fl.Floor()+fl.Read))
	}
	if b.cfg.rounds > 1 {
		b.rep.printf("| median | | | | %s | | %s | | **%s** | %s |\n", sec(median(floors)), sec(median(resolves)),
			ratio(median(resolves), median(floors)), ratio(median(resolves), median(reads)))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}
