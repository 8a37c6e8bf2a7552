package model

import (
	"errors"
	"fmt"
	"strings"
)

// RuleKind names a way to choose the document each group keeps.
type RuleKind int

// The keep rules, in the order the rule menu lists them.
const (
	KeepFirst      RuleKind = iota // smallest _id
	KeepLast                       // largest _id
	KeepMax                        // largest value of a field, e.g. newest updatedAt
	KeepMin                        // smallest value of a field
	KeepMostFields                 // most non-null leaves
)

// KeepRule chooses a keeper per group.
type KeepRule struct {
	Kind  RuleKind
	Field string // for KeepMax and KeepMin
}

// RuleKinds lists the rules in menu order.
var RuleKinds = []RuleKind{KeepFirst, KeepLast, KeepMax, KeepMin, KeepMostFields}

// ParseKeepRule reads first, last, max:FIELD, min:FIELD or most-fields.
func ParseKeepRule(s string) (KeepRule, error) {
	name, field, hasField := strings.Cut(strings.TrimSpace(s), ":")
	var r KeepRule
	switch name {
	case "first":
		r.Kind = KeepFirst
	case "last":
		r.Kind = KeepLast
	case "max":
		r.Kind = KeepMax
	case "min":
		r.Kind = KeepMin
	case "most-fields":
		r.Kind = KeepMostFields
	default:
		return r, fmt.Errorf("unknown keep rule %q (want first, last, max:FIELD, min:FIELD or most-fields)", s)
	}
	if r.NeedsField() {
		if !hasField {
			return r, fmt.Errorf("keep rule %q needs a field: %s:FIELD", s, name)
		}
		if err := CheckPath(field); err != nil {
			return r, fmt.Errorf("keep rule %q: %w", s, err)
		}
		r.Field = field
	} else if hasField {
		return r, fmt.Errorf("keep rule %q takes no field", name)
	}
	return r, nil
}

// NeedsField reports whether the rule compares a field's values.
func (r KeepRule) NeedsField() bool { return r.Kind == KeepMax || r.Kind == KeepMin }

// NeedsDocs reports whether choosing needs the members' documents, not only their _ids.
func (r KeepRule) NeedsDocs() bool { return r.Kind != KeepFirst && r.Kind != KeepLast }

// String is the rule as ParseKeepRule reads it.
func (r KeepRule) String() string {
	switch r.Kind {
	case KeepFirst:
		return "first"
	case KeepLast:
		return "last"
	case KeepMax:
		return "max:" + r.Field
	case KeepMin:
		return "min:" + r.Field
	case KeepMostFields:
		return "most-fields"
	}
	return "?"
}

// Describe says in words what the rule keeps.
func (r KeepRule) Describe() string {
	switch r.Kind {
	case KeepFirst:
		return "keep the smallest _id (oldest ObjectId)"
	case KeepLast:
		return "keep the largest _id (newest ObjectId)"
	case KeepMax:
		return "keep the largest " + r.Field
	case KeepMin:
		return "keep the smallest " + r.Field
	case KeepMostFields:
		return "keep the document with the most fields"
	}
	return ""
}

// ErrNoDocs is returned when a rule that reads documents is given none.
var ErrNoDocs = errors.New("this keep rule needs the group's documents")

// Keeper returns the index, in g.IDs, of the document the rule keeps. docs must hold the
// members' documents when NeedsDocs (in any order; they are matched by _id). Ties, and
// members lacking the compared field, fall back to the smallest _id, so a rule never
// prefers a document that lacks what it compares.
func (r KeepRule) Keeper(g Group, docs []Doc) (int, error) {
	if len(g.IDs) == 0 {
		return 0, errors.New("empty group")
	}
	switch r.Kind {
	case KeepFirst:
		return 0, nil
	case KeepLast:
		return len(g.IDs) - 1, nil
	}
	byID := make(map[Value]*Doc, len(docs))
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	best, bestScore := -1, Missing
	bestFields := -1
	for i, id := range g.IDs {
		d, ok := byID[id]
		if !ok {
			continue // gone since the scan: it cannot be kept
		}
		switch r.Kind {
		case KeepMostFields:
			if n := d.Present(); n > bestFields {
				best, bestFields = i, n
			}
		case KeepMax, KeepMin:
			v := d.Get(r.Field)
			if v == Missing || v == Null {
				continue
			}
			c := 0
			if bestScore != Missing {
				c = Compare(v, bestScore)
			}
			if best < 0 || bestScore == Missing || (r.Kind == KeepMax && c > 0) || (r.Kind == KeepMin && c < 0) {
				best, bestScore = i, v
			}
		}
	}
	if best >= 0 {
		return best, nil
	}
	// No member has the field (or no document was found): keep the first that exists.
	for i, id := range g.IDs {
		if _, ok := byID[id]; ok {
			return i, nil
		}
	}
	return 0, ErrNoDocs
}
