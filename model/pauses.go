package model

import (
	"encoding/json"
	"fmt"
	"time"
)

// Pauses count a run's pauses between batches: every pause (the user's, a pause file, a
// lagging secondary), and those made for replication lag apart, with the time each took.
type Pauses struct {
	Count    int
	Total    time.Duration
	LagCount int
	LagTotal time.Duration
}

// pausesJSON is Pauses as --format json and the report write it: durations in seconds.
type pausesJSON struct {
	Count      int     `json:"count"`
	Seconds    float64 `json:"seconds"`
	LagCount   int     `json:"lagCount"`
	LagSeconds float64 `json:"lagSeconds"`
}

// MarshalJSON writes the durations in seconds, as a DBA reads them.
func (p Pauses) MarshalJSON() ([]byte, error) {
	return json.Marshal(pausesJSON{Count: p.Count, Seconds: p.Total.Seconds(), LagCount: p.LagCount, LagSeconds: p.LagTotal.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Pauses) UnmarshalJSON(b []byte) error {
	var j pausesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Pauses{Count: j.Count, Total: seconds(j.Seconds), LagCount: j.LagCount, LagTotal: seconds(j.LagSeconds)}
	return nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// String says the pauses in a few words: "2 pauses, 31s (1 for replication lag, 14s)", or ""
// when there were none.
func (p Pauses) String() string {
	if p.Count == 0 {
		return ""
	}
	s := fmt.Sprintf("%d pause%s, %s", p.Count, plural(p.Count), p.Total.Round(time.Second))
	if p.LagCount > 0 {
		s += fmt.Sprintf(" (%d for replication lag, %s)", p.LagCount, p.LagTotal.Round(time.Second))
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ETA is the time the run still needs at its pace so far, pauses included: a run that spent a
// third of its time paused is expected to go on so. It counts groups done (documents, in a
// restore, which has no groups), and is 0 when nothing is done yet or nothing is left.
func (p Progress) ETA() time.Duration {
	done, total := p.GroupsDone, p.GroupsTotal
	if total == 0 {
		done, total = p.DocsDeleted, p.DocsTotal
	}
	if done <= 0 || done >= total || p.Elapsed <= 0 {
		return 0
	}
	return time.Duration(float64(p.Elapsed) * float64(total-done) / float64(done))
}
