package model

// Collation is a MongoDB collation: every option, under MongoDB's JSON names, so one read from
// an index's spec or typed by the user carries everything that decides string equality.
// Check says which of them dupes can honour exactly; the rest it refuses.
type Collation struct {
	Locale          string `json:"locale"`
	Strength        int    `json:"strength,omitempty"`
	CaseLevel       bool   `json:"caseLevel,omitempty"`
	CaseFirst       string `json:"caseFirst,omitempty"`
	NumericOrdering bool   `json:"numericOrdering,omitempty"`
	Alternate       string `json:"alternate,omitempty"`
	MaxVariable     string `json:"maxVariable,omitempty"`
	Backwards       bool   `json:"backwards,omitempty"`
	Normalization   bool   `json:"normalization,omitempty"`
}

// CaseInsensitive reports whether strings differing only in case compare equal.
func (c *Collation) CaseInsensitive() bool {
	return c != nil && c.Locale != "simple" && (c.Strength == 1 || c.Strength == 2) && !c.CaseLevel
}
