package memstore

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// pauseCheck is how often a paused run looks again at what holds it, and says so. Shorter than
// the adapter's second: nothing here costs a server a command, and the demo answers p at once.
const pauseCheck = 50 * time.Millisecond

// rateSlice is a batch's time at MaxRate, as the adapter cuts them: a quarter second's documents.
const rateSlice = time.Second / 4

// pacer applies a model.Pace to one run, between batches, as the adapter's does (mongo/throttle.go,
// mongo/pause.go): a pause lasts while its cause does, and the rate is kept by sleeping.
type pacer struct {
	pace   model.Pace
	pauses model.Pauses
	tat    time.Time // when the documents sent so far are paid for at the rate
}

func newPacer(p model.Pace) *pacer {
	if p.MaxLag > 0 && p.Notice != nil {
		p.Notice(fmt.Sprintf("--max-lag %s does nothing here: the demo's data is no replica set", p.MaxLag))
	}
	return &pacer{pace: p}
}

// why says whether the run must pause now and why: the user's hold first, then the pause file.
func (p *pacer) why() string {
	if p.pace.Hold != nil {
		if why := p.pace.Hold(); why != "" {
			return why
		}
	}
	if f := p.pace.PauseFile; f != "" {
		if _, err := os.Stat(f); err == nil {
			return fmt.Sprintf("the pause file %s exists (remove it to resume)", f)
		}
	}
	return ""
}

// hold keeps the run while something asks it to pause, telling report why (and "" when it
// resumes) every pauseCheck, with the pauses so far. A pause whose reason changes counts again.
// Only ctx's end stops it early, with ctx's error.
func (p *pacer) hold(ctx context.Context, report func(why string, pauses model.Pauses)) error {
	why := p.why()
	if why == "" {
		return nil
	}
	p.pauses.Count++
	last := time.Now()
	for {
		report(why, p.pauses)
		err := sleep(ctx, pauseCheck)
		now := time.Now()
		p.pauses.Total += now.Sub(last)
		last = now
		if err != nil {
			return err
		}
		next := p.why()
		switch {
		case next == "":
			report("", p.pauses)
			return nil
		case next != why:
			p.pauses.Count++
		}
		why = next
	}
}

// batchEnd is where the batch starting at group from ends: at most batch groups, and as many
// whole groups as fit in BatchSize documents and a rate slice's documents (at least one group).
func (p *pacer) batchEnd(plan model.Plan, from, batch int) int {
	limit := p.pace.BatchSize
	if r := p.pace.MaxRate; r > 0 {
		slice := max(1, int(r*rateSlice.Seconds()))
		if limit <= 0 || slice < limit {
			limit = slice
		}
	}
	to, docs := from, 0
	for to < len(plan.Groups) && to-from < batch {
		n := len(plan.Groups[to].Delete)
		if to > from && limit > 0 && docs+n > limit {
			break
		}
		docs += n
		to++
	}
	return to
}

// take waits until the documents of groups [from, to) may be written at MaxRate: each batch
// pays n/rate, the first one too, so a run of N documents takes N/rate.
func (p *pacer) take(ctx context.Context, plan model.Plan, from, to int) error {
	if p.pace.MaxRate <= 0 {
		return nil
	}
	n := 0
	for _, g := range plan.Groups[from:to] {
		n += len(g.Delete)
	}
	cost := time.Duration(float64(n) / p.pace.MaxRate * float64(time.Second))
	now := time.Now()
	if p.tat.Before(now) {
		p.tat = now
	}
	p.tat = p.tat.Add(cost)
	return sleep(ctx, p.tat.Sub(now))
}

// sleep waits d, or returns ctx's error if ctx ends first. (time.After's timer is collected
// unstopped since Go 1.23.)
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
