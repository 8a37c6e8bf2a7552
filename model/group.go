package model

// Group is one set of documents that share the key's values: the documents a unique index
// on the key would not let live together.
type Group struct {
	// Key holds one value per key field (Null where the field is missing).
	Key []Value
	// IDs are the members' _id values in ascending _id order.
	IDs []Value
}

// Count is the number of members.
func (g Group) Count() int { return len(g.IDs) }

// Summary counts a scan's result.
type Summary struct {
	Groups    int `json:"groups"`
	Documents int `json:"documents"` // members of all groups
	Surplus   int `json:"surplus"`   // documents a cleanup removes: Documents - Groups
}

// Add counts one more group.
func (s *Summary) Add(g Group) {
	s.Groups++
	s.Documents += g.Count()
	s.Surplus += g.Count() - 1
}

// Summarize counts groups.
func Summarize(groups []Group) Summary {
	var s Summary
	for _, g := range groups {
		s.Add(g)
	}
	return s
}

// Share is the surplus as a fraction of a collection of total documents (0 when unknown).
func (s Summary) Share(total int64) float64 {
	if total <= 0 {
		return 0
	}
	return float64(s.Surplus) / float64(total)
}
