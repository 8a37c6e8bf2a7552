package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Namespace names a collection: database and collection. Collection names may hold dots,
// the database name may not, so the first dot splits.
type Namespace struct {
	DB   string
	Coll string
}

// ParseNamespace reads "DB.COLL".
func ParseNamespace(s string) (Namespace, error) {
	db, coll, ok := strings.Cut(s, ".")
	if !ok || db == "" || coll == "" {
		return Namespace{}, fmt.Errorf("namespace %q is not DB.COLLECTION", s)
	}
	return Namespace{DB: db, Coll: coll}, nil
}

func (n Namespace) String() string { return n.DB + "." + n.Coll }

// MarshalJSON writes "DB.COLL".
func (n Namespace) MarshalJSON() ([]byte, error) { return json.Marshal(n.String()) }

// UnmarshalJSON reads "DB.COLL".
func (n *Namespace) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	ns, err := ParseNamespace(s)
	*n = ns
	return err
}

// Key says what makes two documents duplicates: the fields (dotted paths) taken together,
// and how values are compared.
type Key struct {
	Fields []string `json:"fields"`
	// IgnoreCase and Trim loosen matching beyond what any unique index does.
	IgnoreCase bool `json:"ignoreCase,omitempty"`
	Trim       bool `json:"trim,omitempty"`
	// Filter narrows the scan: a query document in relaxed Extended JSON.
	Filter string `json:"filter,omitempty"`
	// Index, Sparse, PartialFilter and Collation come from a unique index when the key was
	// taken from one, so the scan finds exactly what that index rejects.
	Index         string     `json:"index,omitempty"`
	Sparse        bool       `json:"sparse,omitempty"`
	PartialFilter string     `json:"partialFilter,omitempty"`
	Collation     *Collation `json:"collation,omitempty"`
	// WholeDocument makes documents duplicates when they are equal in every field but _id and
	// the top-level fields in Ignore (see wholedoc.go); Fields is then empty.
	WholeDocument bool     `json:"wholeDocument,omitempty"`
	Ignore        []string `json:"ignore,omitempty"`
	// AnyFieldOrder compares a whole document's top-level fields in any order.
	AnyFieldOrder bool `json:"anyFieldOrder,omitempty"`
}

// ParseFields reads "a,b.c" into field paths, rejecting what no MongoDB path can be.
func ParseFields(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("no key fields given")
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if err := CheckPath(f); err != nil {
			return nil, err
		}
		if seen[f] {
			return nil, fmt.Errorf("field %q is named twice", f)
		}
		seen[f] = true
		out = append(out, f)
	}
	return out, nil
}

// CheckPath rejects field paths that MongoDB would refuse or misread.
func CheckPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty field name")
	case strings.HasPrefix(p, "$"):
		return fmt.Errorf("field %q: a path cannot start with '$'", p)
	case strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, ".."):
		return fmt.Errorf("field %q: empty part in dotted path", p)
	case strings.ContainsRune(p, 0):
		return fmt.Errorf("field %q: contains a NUL byte", p)
	}
	return nil
}

// Validate checks the key before anything is sent to a server.
func (k Key) Validate() error {
	if k.WholeDocument || len(k.Ignore) > 0 || k.AnyFieldOrder {
		return k.validateWhole()
	}
	if len(k.Fields) == 0 {
		return errors.New("the key has no fields")
	}
	for _, f := range k.Fields {
		if err := CheckPath(f); err != nil {
			return err
		}
	}
	return nil
}

// String is "email" or "(lastName, firstName)", for people: field names are escaped
// (DisplayPath), so a name holding an escape sequence is shown, not obeyed.
func (k Key) String() string {
	if k.WholeDocument {
		return k.wholeString()
	}
	if len(k.Fields) == 1 {
		return DisplayPath(k.Fields[0])
	}
	shown := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		shown[i] = DisplayPath(f)
	}
	return "(" + strings.Join(shown, ", ") + ")"
}

// Semantics says in words how the scan compares values, so every output can say which
// notion of "duplicate" produced it. The index name and filters in it are escaped (SafeText).
func (k Key) Semantics() string {
	return SafeText(k.semantics())
}

func (k Key) semantics() string {
	if k.WholeDocument {
		return k.wholeSemantics()
	}
	var parts []string
	if k.Index != "" {
		parts = append(parts, "index-exact ("+k.Index+")")
	} else {
		parts = append(parts, "exact")
	}
	if k.Sparse {
		parts = append(parts, "sparse: documents missing every key field are ignored")
	} else {
		parts = append(parts, "missing = null")
	}
	if k.PartialFilter != "" {
		parts = append(parts, "partial filter "+k.PartialFilter)
	}
	if k.Collation != nil {
		parts = append(parts, fmt.Sprintf("collation %s strength %d", k.Collation.Locale, k.Collation.Strength))
	}
	if k.IgnoreCase {
		parts = append(parts, "ignore case")
	}
	if k.Trim {
		parts = append(parts, "trim whitespace")
	}
	if k.Filter != "" {
		parts = append(parts, "filter "+k.Filter)
	}
	return strings.Join(parts, "; ")
}
