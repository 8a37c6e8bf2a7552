package mongo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// pacedFor builds a pacer on a fake clock whose progress reports are recorded.
func pacedFor(pace Pace) (*pacer, *fakeClock, *[]string) {
	clk := newFakeClock()
	pace.clock = clk
	p := newPacer(nil, pace)
	var reports []string
	p.report = func(why string) { reports = append(reports, why) }
	return p, clk, &reports
}

// The user's hold pauses the run until it is lifted, re-checked every second, and the pause
// is counted with its time; the progress hears it start, go on, and end.
func TestHoldPausesUntilLifted(t *testing.T) {
	checks := 0
	p, clk, reports := pacedFor(Pace{Hold: func() string {
		checks++
		if checks <= 4 {
			return "SIGUSR1"
		}
		return ""
	}})
	if err := p.before(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	if want := (model.Pauses{Count: 1, Total: 4 * time.Second}); p.pauses != want {
		t.Errorf("pauses %+v, want %+v", p.pauses, want)
	}
	if want := []string{"SIGUSR1", "SIGUSR1", "SIGUSR1", "SIGUSR1", ""}; !reflect.DeepEqual(*reports, want) {
		t.Errorf("reports %q, want %q", *reports, want)
	}
	if len(clk.sleeps) != 4 || clk.sleeps[0] != pauseCheck {
		t.Errorf("waits %v, want 4 of %v", clk.sleeps, pauseCheck)
	}
	// Held no more: the next batch goes at once.
	if err := p.before(context.Background(), 10); err != nil || p.pauses.Count != 1 {
		t.Errorf("the next batch: %v, pauses %+v", err, p.pauses)
	}
}

// The pause file holds the run while it exists, and the reason names it.
func TestPauseFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, clk, reports := pacedFor(Pace{PauseFile: f})
	clk.onSleep = func() {
		if len(clk.sleeps) == 3 {
			os.Remove(f)
		}
	}
	if err := p.before(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if p.pauses.Count != 1 || p.pauses.Total != 3*time.Second || p.pauses.LagCount != 0 {
		t.Errorf("pauses %+v, want one of 3s", p.pauses)
	}
	if !strings.Contains((*reports)[0], f) || !strings.Contains((*reports)[0], "remove it to resume") {
		t.Errorf("reason %q: want the file and how to resume", (*reports)[0])
	}
}

// A secondary past --max-lag pauses the run, named with its lag, until it is back under; the
// lag is read at most once a second, and lag pauses are counted apart.
func TestLagPausesUntilCaughtUp(t *testing.T) {
	lags := []time.Duration{14 * time.Second, 12 * time.Second, 11 * time.Second, 3 * time.Second}
	reads := 0
	p, _, reports := pacedFor(Pace{MaxLag: 10 * time.Second})
	p.lag = func(context.Context) ([]MemberLag, error) {
		l := lags[min(reads, len(lags)-1)]
		reads++
		return []MemberLag{{"db1:27017", time.Second}, {"db2:27017", l}}, nil
	}
	ctx := context.Background()
	if err := p.before(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if want := (model.Pauses{Count: 1, Total: 3 * time.Second, LagCount: 1, LagTotal: 3 * time.Second}); p.pauses != want {
		t.Errorf("pauses %+v, want %+v", p.pauses, want)
	}
	if want := "secondary db2:27017 is 14s behind (--max-lag 10s)"; (*reports)[0] != want {
		t.Errorf("first report %q, want %q", (*reports)[0], want)
	}
	// Within the second, the last reading stands: no new read.
	for range 5 {
		_ = p.before(ctx, 1)
	}
	if reads != 4 {
		t.Errorf("%d reads of the lag, want 4 (one a second)", reads)
	}
}

// On a server with no replica set, --max-lag says once that it does nothing, and why, and the
// run goes on unpaused, never asking again.
func TestLagWithoutAReplicaSet(t *testing.T) {
	var notices []string
	reads := 0
	p, clk, _ := pacedFor(Pace{MaxLag: 10 * time.Second, Notice: func(s string) { notices = append(notices, s) }})
	p.lag = func(context.Context) ([]MemberLag, error) {
		reads++
		return nil, fmt.Errorf("%w: the server is a standalone", ErrNoReplicaSet)
	}
	for range 3 {
		if err := p.before(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		clk.work(2 * time.Second)
	}
	if reads != 1 || len(notices) != 1 || p.pauses.Count != 0 {
		t.Fatalf("%d reads, notices %q, pauses %+v: want one read, one notice, no pause", reads, notices, p.pauses)
	}
	if !strings.Contains(notices[0], "--max-lag 10s does nothing here") || !strings.Contains(notices[0], "standalone") {
		t.Errorf("notice %q", notices[0])
	}
}

// A lag that cannot be read pauses the run, saying why, until it can.
func TestLagUnreadablePauses(t *testing.T) {
	reads := 0
	p, _, reports := pacedFor(Pace{MaxLag: 10 * time.Second})
	p.lag = func(context.Context) ([]MemberLag, error) {
		reads++
		if reads <= 2 {
			return nil, errors.New("connection reset")
		}
		return []MemberLag{{"db2:27017", 0}}, nil
	}
	if err := p.before(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if p.pauses.LagCount != 1 || !strings.Contains((*reports)[0], "cannot read the replication lag (connection reset)") {
		t.Errorf("pauses %+v, reports %q", p.pauses, *reports)
	}
}

// A pause whose cause changes is a new pause: the user's, then the lag's, counted apart.
func TestPauseCauseChanges(t *testing.T) {
	held := 2
	p, _, _ := pacedFor(Pace{MaxLag: 10 * time.Second, Hold: func() string {
		if held > 0 {
			held--
			return "SIGUSR1"
		}
		return ""
	}})
	lagReads := 0
	p.lag = func(context.Context) ([]MemberLag, error) {
		lagReads++
		if lagReads <= 2 {
			return []MemberLag{{"db2:27017", 20 * time.Second}}, nil
		}
		return nil, nil
	}
	if err := p.before(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if p.pauses.Count != 2 || p.pauses.LagCount != 1 || p.pauses.LagTotal <= 0 || p.pauses.Total <= p.pauses.LagTotal {
		t.Errorf("pauses %+v, want two, one of them for lag", p.pauses)
	}
}

// A cancel (SIGTERM) during a pause ends it with the cancel, its time counted.
func TestCancelDuringAPause(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p, clk, _ := pacedFor(Pace{Hold: func() string { return "SIGUSR1" }})
	clk.onSleep = func() {
		if len(clk.sleeps) == 2 {
			cancel()
		}
	}
	if err := p.before(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("before: %v, want the cancel", err)
	}
	if p.pauses.Count != 1 || p.pauses.Total != 2*time.Second {
		t.Errorf("pauses %+v, want one of 2s", p.pauses)
	}
}
