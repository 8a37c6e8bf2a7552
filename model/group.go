package model

// Group is one set of documents that share the key's values: the documents a unique index
// on the key would not let live together.
type Group struct {
	// Key holds one value per key field (Null where the field is missing).
	Key []Value
	// IDs are the members' _id values in ascending _id order.
	IDs []Value
	// Multikey says a member gave the key more than one index key (an array), so it may sit
	// in other groups too. Only a scan asked to mark it sets it (mongo.ScanOptions): a group
	// without it shares no document with any other group, and can be planned on its own.
	Multikey bool
}

// Count is the number of members.
func (g Group) Count() int { return len(g.IDs) }

// LacksKey reports the group of documents that hold no key value at all: every key field
// missing or null. A plain unique index rejects all but one of them, yet they are rarely
// duplicates of each other (a guest without an email is not the same person as another),
// so plans leave them alone unless the user opts in (docs/semantics.md, "Documents that lack the key").
func (g Group) LacksKey() bool {
	if len(g.Key) == 0 {
		return false
	}
	for _, v := range g.Key {
		if v != Null && v != Missing {
			return false
		}
	}
	return true
}

// Summary counts a scan's result. The documents lacking the key are counted apart
// (LackingKey): they are not surplus, since no plan deletes them unless asked to.
type Summary struct {
	Groups    int `json:"groups"`    // groups with a key value
	Documents int `json:"documents"` // members of those groups
	Surplus   int `json:"surplus"`   // documents a cleanup removes: Documents - Groups
	// LackingKey counts the documents of the groups that lack the key (Group.LacksKey).
	LackingKey int `json:"lackingKey"`
	lackGroups int
}

// Add counts one more group.
func (s *Summary) Add(g Group) {
	s.AddCount(g, g.Count())
}

// AddCount counts one more group of n members (more than it lists when its ids were cut).
func (s *Summary) AddCount(g Group, n int) {
	if g.LacksKey() {
		s.LackingKey += n
		s.lackGroups++
		return
	}
	s.Groups++
	s.Documents += n
	s.Surplus += n - 1
}

// WithLacking is the summary with the documents lacking the key counted as duplicates like
// any others: what a cleanup that opted in (--delete-missing) removes.
func (s Summary) WithLacking() Summary {
	out := s
	out.Groups += s.lackGroups
	out.Documents += s.LackingKey
	out.Surplus += s.LackingKey - s.lackGroups
	out.LackingKey, out.lackGroups = 0, 0
	return out
}

// Summarize counts groups.
func Summarize(groups []Group) Summary {
	var s Summary
	for _, g := range groups {
		s.Add(g)
	}
	return s
}

// Share is the surplus as a fraction of a collection of total documents, -1 when unknown.
// total is the collection's estimated count, which lags behind deletes and inserts: a share
// above 1 (more surplus than the estimate has documents, after a partly run plan) is reported
// as -1, unknown, rather than as 1296 %.
func (s Summary) Share(total int64) float64 {
	if total <= 0 || int64(s.Surplus) > total {
		return -1
	}
	return float64(s.Surplus) / float64(total)
}
