package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// PlanVersion is the version of the plan file format this build writes and reads.
const PlanVersion = 1

// Decision says how a group's keeper was chosen.
type Decision string

// Decisions.
const (
	Undecided Decision = ""
	ByRule    Decision = "rule"
	ByHand    Decision = "manual"
)

// Plan is what a cleanup will do: per group, the document to keep and the ones to delete.
// It is also the plan file's format (JSON), written by `dupes plan` or the TUI's review
// screen and read by `dupes apply`, so its shape is stable; change PlanVersion to change it.
type Plan struct {
	Version   int       `json:"version"`
	NS        Namespace `json:"ns"`
	Key       Key       `json:"key"`
	Semantics string    `json:"semantics"`
	Rule      string    `json:"rule,omitempty"`
	// DeleteMissing says the plan may delete documents lacking the key (all key values null
	// or missing); without it, apply refuses a plan that does (see CheckLacking).
	DeleteMissing bool `json:"deleteMissing,omitempty"`
	// Merge, when set, fills each keeper's missing or null fields from the members it
	// deletes before they go (see merge.go); apply then updates keepers as well as deleting.
	Merge     *MergeOptions `json:"merge,omitempty"`
	CreatedAt time.Time     `json:"createdAt"`
	Groups    []PlanGroup   `json:"groups"`
}

// PlanGroup is one group's decision.
type PlanGroup struct {
	Key      []Value  `json:"key"`
	Keep     Value    `json:"keep"`
	Delete   []Value  `json:"delete"`
	Decision Decision `json:"decision,omitempty"`
}

// Decide turns a group and the index of its keeper into a plan entry.
func Decide(g Group, keeper int, how Decision) PlanGroup {
	pg := PlanGroup{Key: g.Key, Keep: g.IDs[keeper], Decision: how}
	pg.Delete = make([]Value, 0, len(g.IDs)-1)
	for i, id := range g.IDs {
		if i != keeper {
			pg.Delete = append(pg.Delete, id)
		}
	}
	return pg
}

// Deletes counts the documents the plan deletes.
func (p Plan) Deletes() int {
	n := 0
	for _, g := range p.Groups {
		n += len(g.Delete)
	}
	return n
}

// Validate checks the plan's own consistency: a keeper in every group, never the keeper
// among the deletes, never one document in two groups' deletes, never an empty group.
func (p Plan) Validate() error {
	if p.Version != PlanVersion {
		return fmt.Errorf("plan version %d is not supported (this dupes reads version %d)", p.Version, PlanVersion)
	}
	if p.NS.DB == "" || p.NS.Coll == "" {
		return errors.New("plan has no namespace")
	}
	if err := p.Key.Validate(); err != nil {
		return fmt.Errorf("plan key: %w", err)
	}
	if err := p.checkMerge(); err != nil {
		return err
	}
	deleted := map[Value]int{}
	keepers := map[Value]bool{}
	for i, g := range p.Groups {
		if g.Keep == Missing {
			return fmt.Errorf("plan group %d has no keeper", i+1)
		}
		if len(g.Key) != p.Key.Width() {
			return fmt.Errorf("plan group %d has %d key values for %d key fields", i+1, len(g.Key), p.Key.Width())
		}
		if len(g.Delete) == 0 {
			return fmt.Errorf("plan group %d deletes nothing", i+1)
		}
		keepers[g.Keep] = true
		for _, id := range g.Delete {
			if id == g.Keep {
				return fmt.Errorf("plan group %d deletes its own keeper %s", i+1, id.Display())
			}
			if j, dup := deleted[id]; dup {
				return fmt.Errorf("plan groups %d and %d both delete %s", j+1, i+1, id.Display())
			}
			deleted[id] = i
		}
	}
	// A document kept by one group and deleted by another is possible under multikey keys
	// (it collides in several groups): deleting it would leave the first group keeper-less.
	for id, i := range deleted {
		if keepers[id] {
			return fmt.Errorf("plan group %d deletes %s, which another group keeps", i+1, id.Display())
		}
	}
	return nil
}

// Digest is a short fingerprint of what the plan deletes, recorded in backup manifests so a
// resumed run can tell it is finishing the same plan.
func (p Plan) Digest() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(p.NS)
	_ = enc.Encode(p.Key)
	if p.Merge != nil {
		// A merging plan updates keepers: it is not the same plan as its delete-only twin.
		_ = enc.Encode(p.Merge)
	}
	for _, g := range p.Groups {
		_ = enc.Encode([]any{g.Key, g.Keep, g.Delete})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
