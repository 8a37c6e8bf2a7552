package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// PlanVersion is the version of the plan file format this build writes. It also reads
// version 1, the format before fingerprints, whose groups hold none.
const PlanVersion = 2

// planVersionUnprinted is the plan file format without fingerprints.
const planVersionUnprinted = 1

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
	// KeepFingerprint and DeleteFingerprints (one per Delete, in its order) are the members
	// as they were read when the plan was made (see Fingerprint): a run deletes a member only
	// if it is still that version. Empty in a plan made before fingerprints.
	KeepFingerprint    Fingerprint   `json:"keepFingerprint,omitempty"`
	DeleteFingerprints []Fingerprint `json:"deleteFingerprints,omitempty"`
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

// Keepers counts the distinct documents the plan keeps. With array keys one keeper can head
// several groups' entries (it holds each of their values), so this is not len(Groups).
func (p Plan) Keepers() int {
	seen := make(map[Value]bool, len(p.Groups))
	for _, g := range p.Groups {
		seen[g.Keep] = true
	}
	return len(seen)
}

// Validate checks the plan's own consistency: a keeper in every group, never the keeper
// among the deletes, never one document in two groups' deletes, never an empty group.
func (p Plan) Validate() error {
	if p.Version != PlanVersion && p.Version != planVersionUnprinted {
		return fmt.Errorf("plan version %d is not supported (this dupes reads versions %d and %d)", p.Version, planVersionUnprinted, PlanVersion)
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
		if err := p.checkFingerprints(g); err != nil {
			return fmt.Errorf("plan group %d: %w", i+1, err)
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
		if g.KeepFingerprint != "" {
			// The same deletes of other versions are another plan: another approval.
			_ = enc.Encode([]any{g.Key, g.Keep, g.Delete, g.KeepFingerprint, g.DeleteFingerprints})
			continue
		}
		_ = enc.Encode([]any{g.Key, g.Keep, g.Delete})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Fingerprint is what a plan records of a member as it was read: the first 128 bits of the
// SHA-256 of the document's exact BSON bytes, in hex. The DBA approves a plan made from those
// versions (dupes plan reads every member; the TUI records the version its group view
// showed), so a run deletes a member only if its fingerprint, re-read just before the backup,
// is the same. A document changed and changed back to the same bytes is the same version.
type Fingerprint string

// FingerprintAbsent records a member that no longer existed when the plan read it: a
// document of that _id found by the run is not the one planned.
const FingerprintAbsent Fingerprint = "absent"

// fingerprintLen is a fingerprint's length in hex digits.
const fingerprintLen = 32

// FingerprintOf is the fingerprint of a document's BSON bytes.
func FingerprintOf(doc []byte) Fingerprint {
	sum := sha256.Sum256(doc)
	return Fingerprint(hex.EncodeToString(sum[:fingerprintLen/2]))
}

func (f Fingerprint) valid() bool {
	if f == FingerprintAbsent {
		return true
	}
	if len(f) != fingerprintLen {
		return false
	}
	for _, c := range []byte(f) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Fingerprints are the members a planner read, by _id.
type Fingerprints map[Value]Fingerprint

// Stamp records in each group its members' fingerprints. The map holds every member that was
// read: one missing from it was not found, and is recorded absent.
func (fp Fingerprints) Stamp(groups []PlanGroup) {
	for i := range groups {
		g := &groups[i]
		g.KeepFingerprint = fp.of(g.Keep)
		g.DeleteFingerprints = make([]Fingerprint, len(g.Delete))
		for j, id := range g.Delete {
			g.DeleteFingerprints[j] = fp.of(id)
		}
	}
}

func (fp Fingerprints) of(id Value) Fingerprint {
	if f, ok := fp[id]; ok {
		return f
	}
	return FingerprintAbsent
}

// Unprinted counts the groups that record no fingerprints: every group of a plan made before
// fingerprints. A run checks such a group's members only as it re-reads them.
func (p Plan) Unprinted() int {
	n := 0
	for _, g := range p.Groups {
		if g.KeepFingerprint == "" {
			n++
		}
	}
	return n
}

// checkFingerprints: a group records a fingerprint for every member or for none, and a
// version 1 plan records none.
func (p Plan) checkFingerprints(g PlanGroup) error {
	if g.KeepFingerprint == "" && g.DeleteFingerprints == nil {
		return nil
	}
	if p.Version == planVersionUnprinted {
		return fmt.Errorf("a version %d plan records no fingerprints", planVersionUnprinted)
	}
	if g.KeepFingerprint == "" || len(g.DeleteFingerprints) != len(g.Delete) {
		return fmt.Errorf("fingerprints for %d of its %d members", countPrints(g), 1+len(g.Delete))
	}
	for _, f := range append([]Fingerprint{g.KeepFingerprint}, g.DeleteFingerprints...) {
		if !f.valid() {
			return fmt.Errorf("malformed fingerprint %q", f)
		}
	}
	return nil
}

func countPrints(g PlanGroup) int {
	n := 0
	for _, f := range append([]Fingerprint{g.KeepFingerprint}, g.DeleteFingerprints...) {
		if f != "" {
			n++
		}
	}
	return n
}
