package model

import (
	"errors"
	"fmt"
	"strings"
)

// Rule is one way to choose the document each group keeps: a row of Rules. Everything that
// names, lists, describes or applies a rule (--keep, the rule menu, plan files, Keeper, Rank,
// MergeOrder) reads this table, so a new rule is one row here and its test.
type Rule struct {
	Name  string // as --keep and plan files spell it (max:FIELD for a rule with a field)
	Menu  string // the rule menu's label
	Help  string // the rule menu's line: what it keeps
	Field bool   // compares a field's values: the rule is written NAME:FIELD
	// Docs: choosing reads the members' documents, not only their _ids.
	Docs bool
	// describe says what the rule keeps, given its field.
	describe func(field string) string
	// before reports whether a comes before b in keep order; the keeper is the first. Ties
	// keep the order of the _ids (the smallest first), as the sort that uses it is stable.
	before func(a, b Doc, field string) bool
}

// Rules lists the keep rules, in the order the rule menu shows them.
var Rules = []Rule{
	{Name: "first", Menu: "first", Help: "keep the smallest _id (the oldest ObjectId)",
		describe: func(string) string { return "keep the smallest _id (oldest ObjectId)" },
		before:   func(a, b Doc, _ string) bool { return Compare(a.ID, b.ID) < 0 }},
	{Name: "last", Menu: "last", Help: "keep the largest _id (the newest ObjectId)",
		describe: func(string) string { return "keep the largest _id (newest ObjectId)" },
		before:   func(a, b Doc, _ string) bool { return Compare(a.ID, b.ID) > 0 }},
	{Name: "max", Menu: "max of a field", Help: "keep the largest value, e.g. the newest updatedAt", Field: true, Docs: true,
		describe: func(f string) string { return "keep the largest " + f },
		before:   func(a, b Doc, f string) bool { return byField(a, b, f, 1) }},
	{Name: "min", Menu: "min of a field", Help: "keep the smallest value, e.g. the earliest createdAt", Field: true, Docs: true,
		describe: func(f string) string { return "keep the smallest " + f },
		before:   func(a, b Doc, f string) bool { return byField(a, b, f, -1) }},
	{Name: "most-fields", Menu: "most fields", Help: "keep the most complete document", Docs: true,
		describe: func(string) string { return "keep the document with the most fields" },
		before:   func(a, b Doc, _ string) bool { return a.Present() > b.Present() }},
}

// byField orders by a field's value, the larger first for dir 1, the smaller for -1, in
// MongoDB's comparison order. A member lacking the field (missing or null) comes after every
// member holding it: a rule never prefers a document that lacks what it compares.
func byField(a, b Doc, field string, dir int) bool {
	va, vb := a.Get(field), b.Get(field)
	oka, okb := va != Missing && va != Null, vb != Missing && vb != Null
	if !oka || !okb {
		return oka && !okb
	}
	return Compare(va, vb)*dir > 0
}

// RuleKind is a rule's position in Rules.
type RuleKind int

// The rules by name, for code that picks one.
const (
	KeepFirst      RuleKind = iota // smallest _id
	KeepLast                       // largest _id
	KeepMax                        // largest value of a field, e.g. newest updatedAt
	KeepMin                        // smallest value of a field
	KeepMostFields                 // most non-null leaves
)

// KeepRule chooses a keeper per group: a rule of Rules, and its field where it takes one.
type KeepRule struct {
	Kind  RuleKind
	Field string // for a rule with Field
}

// Def is the rule's row of Rules.
func (r KeepRule) Def() Rule {
	if r.Kind < 0 || int(r.Kind) >= len(Rules) {
		return Rules[KeepFirst]
	}
	return Rules[r.Kind]
}

// RuleNames is every rule as --keep takes it: "first, last, max:FIELD, min:FIELD or most-fields".
func RuleNames() string {
	names := make([]string, len(Rules))
	for i, d := range Rules {
		names[i] = d.Name
		if d.Field {
			names[i] += ":FIELD"
		}
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ParseKeepRule reads a rule as String writes it: NAME, or NAME:FIELD for a rule with a field.
func ParseKeepRule(s string) (KeepRule, error) {
	name, field, hasField := strings.Cut(strings.TrimSpace(s), ":")
	for i, d := range Rules {
		if d.Name != name {
			continue
		}
		r := KeepRule{Kind: RuleKind(i)}
		switch {
		case d.Field && !hasField:
			return r, fmt.Errorf("keep rule %q needs a field: %s:FIELD", s, name)
		case d.Field:
			if err := CheckPath(field); err != nil {
				return r, fmt.Errorf("keep rule %q: %w", s, err)
			}
			r.Field = field
		case hasField:
			return r, fmt.Errorf("keep rule %q takes no field", name)
		}
		return r, nil
	}
	return KeepRule{}, fmt.Errorf("unknown keep rule %q (want %s)", s, RuleNames())
}

// NeedsField reports whether the rule compares a field's values.
func (r KeepRule) NeedsField() bool { return r.Def().Field }

// NeedsDocs reports whether choosing needs the members' documents, not only their _ids.
func (r KeepRule) NeedsDocs() bool { return r.Def().Docs }

// String is the rule as ParseKeepRule reads it.
func (r KeepRule) String() string {
	if d := r.Def(); d.Field {
		return d.Name + ":" + r.Field
	}
	return r.Def().Name
}

// Describe says in words what the rule keeps.
func (r KeepRule) Describe() string { return r.Def().describe(r.Field) }

// Before reports whether document a comes before b in the rule's keep order.
func (r KeepRule) Before(a, b Doc) bool { return r.Def().before(a, b, r.Field) }

// ErrNoDocs is returned when a rule that reads documents is given none.
var ErrNoDocs = errors.New("this keep rule needs the group's documents")

// Keeper returns the index, in g.IDs, of the document the rule keeps: the first of Rank.
// docs must hold the members' documents when NeedsDocs (in any order; they are matched by
// _id). Ties, and members lacking the compared field, fall back to the smallest _id.
func (r KeepRule) Keeper(g Group, docs []Doc) (int, error) {
	if len(g.IDs) == 0 {
		return 0, errors.New("empty group")
	}
	rank, err := r.Rank(g, docs)
	if err != nil {
		return 0, err
	}
	return rank[0], nil
}
