package model

import (
	"strings"
	"unicode/utf8"
)

// Where a field was looked for, for UnknownFieldError's message.
const (
	InSample = "sampled document" // the key: a $sample of the collection
	InGroups = "member of any group"
)

// UnknownFieldError says a field named by the user is held by nothing dupes looked at: most
// often a misspelling, which would otherwise make every document "lack" the key (one group of
// the whole collection) or make max:F keep the smallest _id everywhere.
type UnknownFieldError struct {
	Field      string
	In         string // InSample or InGroups
	Suggestion string // the nearest known field, or ""
}

func (e *UnknownFieldError) Error() string {
	s := "no " + e.In + " has " + e.Field
	if e.Suggestion != "" {
		s += "; did you mean " + e.Suggestion + "?"
	}
	return s
}

// CheckKeyFields refuses a key field that no sampled document holds, suggesting the nearest
// sampled path. A positional path (items.0.sku) counts as held when its path without the
// positions is (items.sku). An empty sample (an empty collection) checks nothing.
func CheckKeyFields(fields []string, sampled []FieldInfo) error {
	if len(sampled) == 0 {
		return nil
	}
	paths := make([]string, 0, len(sampled))
	held := make(map[string]bool, len(sampled))
	for _, f := range sampled {
		if f.Present > 0 {
			paths = append(paths, f.Path)
			held[f.Path] = true
		}
	}
	for _, f := range fields {
		if held[f] || held[withoutPositions(f)] {
			continue
		}
		return &UnknownFieldError{Field: f, In: InSample, Suggestion: Closest(f, paths)}
	}
	return nil
}

// withoutPositions drops the numeric components of a dotted path: a.0.b -> a.b.
func withoutPositions(p string) string {
	parts := strings.Split(p, ".")
	out := parts[:0]
	for _, s := range parts {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ".")
}

// FieldHeld reports whether any of docs holds a value other than null at the rule's field;
// always true for rules that compare no field.
func (r KeepRule) FieldHeld(docs []Doc) bool {
	if !r.NeedsField() {
		return true
	}
	for _, d := range docs {
		if v := d.Get(r.Field); v != Missing && v != Null {
			return true
		}
	}
	return false
}

// Closest returns the candidate nearest to name, or "" when none is near enough to be a
// plausible misspelling: at most max(2, len/3) edits (a swap of two neighbours counts one),
// case differences counting half as much. Candidates earlier in the list win ties (sampled
// fields come most filled first).
func Closest(name string, candidates []string) string {
	limit := max(2, utf8.RuneCountInString(name)/3) * 2
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := distance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the optimal string alignment distance in half-edits: 2 per insertion, deletion,
// substitution or swap of neighbours, 1 for a substitution that only changes case.
func distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] for prefixes x[:i], y[:j], three rows kept.
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = 2 * j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = 2 * i
		for j := 1; j <= len(y); j++ {
			sub := 2
			switch {
			case x[i-1] == y[j-1]:
				sub = 0
			case strings.EqualFold(string(x[i-1]), string(y[j-1])):
				sub = 1
			}
			cur[j] = min(prev[j]+2, cur[j-1]+2, prev[j-1]+sub)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+2)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
