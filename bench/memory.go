package main

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// memory is resolve's footprint by collection size: one `dupes resolve --keep first --yes
// --backup DIR` per -memory-sizes entry (groups = -ratio of the documents), its peak RSS from
// GNU time, and the growth from the smallest size to each larger one. The target is that ten
// times the documents cost resolve less than twice the memory: it streams groups in batches
// instead of holding the collection.
func (b *bench) memory(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	b.rep.printf("## Memory: peak RSS of `dupes resolve` by size (groups = %.0f%% of documents)\n\n", b.cfg.ratio*100)
	b.rep.printf("| docs | groups | deleted | resolve | resolve peak RSS | RSS ÷ first size's |\n|---:|---:|---:|---:|---:|---:|\n")
	var first int64
	for _, n := range b.cfg.memSizes {
		spec := mongobench.Spec{Docs: n, Groups: int(float64(n) * b.cfg.ratio), Seed: 1}
		var (
			st  mongobench.Stats
			res cmdResult
		)
		err := b.cleanup(ctx, c, spec, "dupes resolve", func(seeded mongobench.Stats) (err error) {
			st = seeded
			res, err = b.resolve(ctx)
			fmt.Fprintf(os.Stderr, "  resolve: %s, peak RSS %s\n", sec(res.Time), mib(res.PeakRSS))
			return err
		})
		if err != nil {
			return err
		}
		if first == 0 {
			first = res.PeakRSS
		}
		growth := "–"
		if first > 0 && res.PeakRSS > 0 {
			growth = fmt.Sprintf("%.3gx", float64(res.PeakRSS)/float64(first))
		}
		b.rep.printf("| %d | %d | %d | %s | %s | %s |\n", n, st.Groups, st.Surplus, sec(res.Time), mib(res.PeakRSS), growth)
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}

// serverName asks the server what it is, for the report's header.
func (b *bench) serverName(ctx context.Context) string {
	c, err := b.open(ctx)
	if err != nil {
		return "unreachable (" + err.Error() + ")"
	}
	defer c.Close(ctx)
	name, err := c.Server(ctx)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return name
}

// redact hides a password in a URI before it goes into a results file.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
