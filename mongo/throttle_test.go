package mongo

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// fakeClock is virtual time: Sleep moves it on at once and records the wait; work moves it
// on as a batch would take.
type fakeClock struct {
	now    time.Time
	sleeps []time.Duration
	// onSleep, if set, runs after each sleep (a test changes the world there).
	onSleep func()
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.now = c.now.Add(d)
		c.sleeps = append(c.sleeps, d)
	}
	if c.onSleep != nil {
		c.onSleep()
	}
	return ctx.Err()
}

func (c *fakeClock) work(d time.Duration) { c.now = c.now.Add(d) }

// runPaced sends docs documents through a pacer at rate in the batches it allows, each batch
// taking work, and returns the virtual time the run took and the batches' sizes.
func runPaced(t *testing.T, rate float64, docs int, work time.Duration) (time.Duration, []int, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	p := newPacer(nil, Pace{MaxRate: rate, clock: clk})
	start := clk.Now()
	var sizes []int
	for left := docs; left > 0; {
		n := min(left, p.batchDocs(ExecBatchDocs))
		if err := p.before(context.Background(), n); err != nil {
			t.Fatal(err)
		}
		clk.work(work)
		sizes = append(sizes, n)
		left -= n
	}
	return clk.Now().Sub(start), sizes, clk
}

// --max-rate 200 over 2 000 documents: batches of a quarter second's documents (50), each
// waiting its share, so the run takes 10 s, the last batch's own work beyond, whatever the
// batches' work as long as the server keeps up; the waits are even, not a burst a second.
func TestPacerScheduleAtTheRate(t *testing.T) {
	for _, work := range []time.Duration{0, 100 * time.Millisecond, 249 * time.Millisecond} {
		d, sizes, clk := runPaced(t, 200, 2000, work)
		if want := 10*time.Second + work; d != want {
			t.Errorf("work %v a batch: the run took %v, want %v", work, d, want)
		}
		if len(sizes) != 40 || sizes[0] != 50 {
			t.Errorf("work %v: %d batches of %d, want 40 of 50", work, len(sizes), sizes[0])
		}
		for i, s := range clk.sleeps {
			if want := 250*time.Millisecond - work; i > 0 && s != want {
				t.Fatalf("work %v: wait %d was %v, want %v (even waits): %v", work, i, s, want, clk.sleeps)
			}
		}
	}
}

// A server slower than the rate sets the pace: no wait after the first, and no burst later to
// catch up on the time it lost.
func TestPacerSlowServerSetsThePace(t *testing.T) {
	d, _, clk := runPaced(t, 200, 2000, 400*time.Millisecond)
	if want := 250*time.Millisecond + 40*400*time.Millisecond; d != want {
		t.Errorf("the run took %v, want %v (the first share, then the server's pace)", d, want)
	}
	if len(clk.sleeps) != 1 {
		t.Errorf("waits %v, want only the first batch's", clk.sleeps)
	}
}

// A stall shorter than rateCatchUp is made up: the batches after it go without their wait
// until the run is back on its schedule, so the run still takes its 10 s.
func TestPacerCatchesUpAStall(t *testing.T) {
	clk := newFakeClock()
	p := newPacer(nil, Pace{MaxRate: 200, clock: clk})
	start := clk.Now()
	for i := range 40 {
		if err := p.before(context.Background(), 50); err != nil {
			t.Fatal(err)
		}
		work := 50 * time.Millisecond
		if i == 10 {
			work = 800 * time.Millisecond // a slow fsync
		}
		clk.work(work)
	}
	if d, want := clk.Now().Sub(start), 10*time.Second+50*time.Millisecond; d != want {
		t.Errorf("the run took %v, want %v: the stall made up", d, want)
	}
}

// After a pause the schedule starts afresh: the next batch waits its share, as at the start,
// and the ones after it theirs: a pause earns no burst.
func TestPacerAfterAPause(t *testing.T) {
	clk := newFakeClock()
	held := false
	p := newPacer(nil, Pace{MaxRate: 100, clock: clk, Hold: func() string {
		if held {
			held = false
			return "SIGUSR1"
		}
		return ""
	}})
	ctx := context.Background()
	for range 3 {
		if err := p.before(ctx, 25); err != nil {
			t.Fatal(err)
		}
	}
	held = true
	clk.work(time.Minute)
	clk.sleeps = nil
	for range 3 {
		if err := p.before(ctx, 25); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{pauseCheck, 250 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}
	if !reflect.DeepEqual(clk.sleeps, want) {
		t.Errorf("waits after the pause %v, want the pause's check, then each batch's share: %v", clk.sleeps, want)
	}
}

// The batch size a rate allows: a quarter second's documents, at least one; no rate, no cap.
func TestPacerBatchDocs(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		max  int
		want int
	}{{0, 1000, 1000}, {200, 1000, 50}, {1, 1000, 1}, {0.1, 1000, 1}, {1e6, 1000, 1000}, {4000, 500, 500}} {
		p := newPacer(nil, Pace{MaxRate: tc.rate})
		if got := p.batchDocs(tc.max); got != tc.want {
			t.Errorf("rate %v, max %d: %d, want %d", tc.rate, tc.max, got, tc.want)
		}
	}
}

// A batch cut short by its bytes gives back what it did not write: the next waits less.
func TestPacerRefund(t *testing.T) {
	clk := newFakeClock()
	p := newPacer(nil, Pace{MaxRate: 100, clock: clk})
	ctx := context.Background()
	_ = p.before(ctx, 25) // waits 250 ms
	p.refund(20)          // wrote 5: 50 ms's worth
	_ = p.before(ctx, 25)
	if got, want := clk.Now().Sub(newFakeClock().now), 50*time.Millisecond+250*time.Millisecond; got != want {
		t.Errorf("two batches, the first cut to 5 documents, took %v, want %v", got, want)
	}
}

// A cancel during the wait for the rate ends it with the cancel (the real clock's timer).
func TestPacerCancelDuringTheWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := newPacer(nil, Pace{MaxRate: 1})
	if err := p.before(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v, want context.Canceled", err)
	}
}
