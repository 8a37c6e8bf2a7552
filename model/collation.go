package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Collation is a MongoDB collation: every option, under MongoDB's JSON names, so one read from
// an index's spec or typed by the user carries everything that decides string equality.
// Check says which of them dupes can decide exactly; the rest it refuses.
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

// ErrCollationUnsupported marks a collation (or, with normalization off, a string) whose
// equality dupes cannot decide exactly as MongoDB's ICU does. dupes refuses rather than guess.
var ErrCollationUnsupported = errors.New("collation not supported exactly")

// How dupes decides string equality under a collation, and what it refuses.
//
// Strings compare by their collation key from golang.org/x/text/collate, an implementation of
// the Unicode Collation Algorithm with CLDR tailorings, where MongoDB uses ICU. Equality is
// what matters for duplicates, never order, so:
//   - caseFirst and backwards change only the order of strings: accepted, nothing to do.
//   - maxVariable matters only with alternate "shifted": accepted (and ignored) otherwise.
//   - strength 1..3 map to x/text's levels; 4 without "shifted" adds nothing to 3 (ICU's
//     quaternary level only separates shifted characters); 5 (identical) adds the string's NFD
//     form, which is how ICU's identical level compares.
//   - caseLevel with strength 3 or more leaves equality as strength 3 decides it (the case bits
//     move to their own level but still count). With strength 1 or 2 it is refused: x/text's
//     case level keeps every tertiary difference (width, variants), ICU's only case.
//   - normalization true is exact (x/text always normalizes). With false, ICU skips
//     normalization, which gives the same answer for text in FCD form; a string not in FCD form
//     is refused, since ICU's answer for it is not known.
//   - numericOrdering true is refused: x/text's numeric weighting is not ICU's (digit run limits,
//     mixed digit scripts), so equal keys are not guaranteed to match.
//   - alternate "shifted" is refused: x/text's shifted keys disagree with its own comparisons
//     ("a" and "A" compare equal but have different keys), so nothing exact can be built on it.
//   - locales: those x/text has a tailoring for (collate.Supported()), region variants of them
//     (fr_BE collates as fr), and root-collated languages (it, nl, pt, id, ms, sw); "simple" is
//     binary. Any other locale, and collation variants x/text lacks (es@collation=search), are
//     refused: x/text would fall back to root silently.
//
// Approximated, and said so in docs/semantics.md: x/text's tables are CLDR 23 / Unicode 6.2, older than
// the ICU any current MongoDB ships (CLDR 29 and later). Characters assigned after Unicode 6.2
// and tailorings CLDR changed since can compare differently from MongoDB.

// rootLanguages collate by the CLDR root order in ICU too, with no tailoring of their own.
var rootLanguages = map[string]bool{"it": true, "nl": true, "pt": true, "id": true, "ms": true, "sw": true}

// icuCollationTypes maps ICU's @collation= keywords to their BCP 47 -u-co- names.
var icuCollationTypes = map[string]string{
	"phonebook": "phonebk", "traditional": "trad", "dictionary": "dict", "gb2312han": "gb2312",
	"standard": "standard", "pinyin": "pinyin", "stroke": "stroke", "phonetic": "phonetic",
	"search": "search", "unihan": "unihan", "zhuyin": "zhuyin", "big5han": "big5han", "reformed": "reformed",
}

// Check reports whether dupes can decide string equality under c exactly as MongoDB does; the
// error (errors.Is(err, ErrCollationUnsupported) for a valid collation dupes refuses) says why.
func (c *Collation) Check() error {
	if c == nil {
		return nil
	}
	_, err := c.tag()
	return err
}

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrCollationUnsupported, fmt.Sprintf(format, a...))
}

// tag validates c and returns the x/text locale to collate with (und for "simple").
func (c *Collation) tag() (language.Tag, error) {
	switch {
	case c.Locale == "":
		return language.Und, errors.New("collation: locale is required")
	case c.Strength < 0 || c.Strength > 5:
		return language.Und, fmt.Errorf("collation: strength %d is not 1 to 5", c.Strength)
	case c.CaseFirst != "" && c.CaseFirst != "off" && c.CaseFirst != "upper" && c.CaseFirst != "lower":
		return language.Und, fmt.Errorf("collation: caseFirst %q is not upper, lower or off", c.CaseFirst)
	case c.Alternate != "" && c.Alternate != "non-ignorable" && c.Alternate != "shifted":
		return language.Und, fmt.Errorf("collation: alternate %q is not non-ignorable or shifted", c.Alternate)
	case c.MaxVariable != "" && c.MaxVariable != "punct" && c.MaxVariable != "space":
		return language.Und, fmt.Errorf("collation: maxVariable %q is not punct or space", c.MaxVariable)
	case c.Locale == "simple":
		if *c != (Collation{Locale: "simple"}) {
			return language.Und, errors.New(`collation: locale "simple" takes no other option`)
		}
		return language.Und, nil
	case c.NumericOrdering:
		return language.Und, unsupported("numericOrdering: x/text's numeric weighting is not ICU's")
	case c.Alternate == "shifted":
		return language.Und, unsupported(`alternate "shifted": x/text's shifted collation keys are inconsistent`)
	case c.CaseLevel && c.Strength != 0 && c.Strength < 3:
		return language.Und, unsupported("caseLevel with strength %d: x/text's case level is not ICU's", c.Strength)
	}
	return localeTag(c.Locale)
}

// localeTag turns an ICU locale ("de@collation=phonebook", "zh_Hant") into the x/text tag with
// its own tailoring, or refuses it.
func localeTag(locale string) (language.Tag, error) {
	base, kw, hasKW := strings.Cut(locale, "@")
	s := strings.ReplaceAll(base, "_", "-")
	if hasKW {
		k, v, _ := strings.Cut(kw, "=")
		co, ok := icuCollationTypes[v]
		if k != "collation" || !ok {
			return language.Und, unsupported("locale %q: unknown keyword %q", locale, kw)
		}
		s += "-u-co-" + co
	}
	if strings.EqualFold(base, "en_US_POSIX") {
		s = "en-US-u-va-posix"
	}
	t, err := language.Parse(s)
	if err != nil {
		return language.Und, unsupported("locale %q: %v", locale, err)
	}
	supported := supportedTags()
	lang, _ := t.Base()
	script, sconf := t.Script()
	_, hasCo := t.Extension('u')
	switch {
	case supported[t.String()]:
		return t, nil
	case hasCo || (sconf == language.Exact && script.String() != ""):
		return language.Und, unsupported("locale %q: no such collation in x/text", locale)
	case supported[lang.String()]:
		return language.Make(lang.String()), nil // a region variant collates as its language
	case rootLanguages[lang.String()]:
		return language.Und, nil
	}
	return language.Und, unsupported("locale %q: x/text has no tailoring for it and it is not known to use the root order", locale)
}

var supportedTags = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, t := range collate.Supported() {
		m[t.String()] = true
	}
	return m
})

// collEntry is a built collator; a Collator is not safe for concurrent use, hence the lock.
type collEntry struct {
	mu  sync.Mutex
	c   *collate.Collator
	buf collate.Buffer
}

var collators sync.Map // Collation -> *collEntry

// collator gives the spec's string comparison key: nil for binary comparison.
func (s KeySpec) collator() (stringKeyer, error) {
	if s.testCollator != nil {
		f := s.testCollator
		return func(x string) (string, error) { return f(x), nil }, nil
	}
	c := s.Collation
	if c == nil || c.Locale == "simple" && *c == (Collation{Locale: "simple"}) {
		return nil, nil
	}
	t, err := c.tag()
	if err != nil {
		return nil, err
	}
	e, ok := collators.Load(*c)
	if !ok {
		level := map[int]string{0: "level3", 1: "level1", 2: "level2", 3: "level3", 4: "level3", 5: "level3"}[c.Strength]
		opts := collate.OptionsFromTag(language.MustParse("und-u-ks-" + level))
		e, _ = collators.LoadOrStore(*c, &collEntry{c: collate.New(t, opts)})
	}
	entry := e.(*collEntry)
	identical, checkFCD := c.Strength == 5, !c.Normalization
	return func(x string) (string, error) {
		if checkFCD && !isFCD(x) {
			return "", unsupported("normalization false and the string %q is not in FCD form: ICU's answer for it is not known", x)
		}
		entry.mu.Lock()
		entry.buf.Reset()
		k := string(entry.c.KeyFromString(&entry.buf, x))
		entry.mu.Unlock()
		if identical {
			k += "\x00\x00" + norm.NFD.String(x)
		}
		return k, nil
	}, nil
}

// isFCD reports whether s is in FCD form ("fast C or D"), where ICU without normalization
// gives the answer of full normalization: no combining mark ordered before a mark of a higher
// combining class once each character is decomposed.
func isFCD(s string) bool {
	var prevTrail uint8
	for i := 0; i < len(s); {
		p := norm.NFD.PropertiesString(s[i:])
		if lead := p.LeadCCC(); lead != 0 && lead < prevTrail {
			return false
		}
		prevTrail = p.TrailCCC()
		n := p.Size()
		if n == 0 {
			n = 1
		}
		i += n
	}
	return true
}

// ParseCollation reads a collation given as JSON ({"locale": "en", "strength": 2}), as
// --collation takes it, refusing unknown options and those Check refuses.
func ParseCollation(s string) (*Collation, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	c := new(Collation)
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("not a collation document: %w", err)
	}
	if c.Locale == "" {
		return nil, errors.New(`a collation needs a locale, e.g. {"locale": "en", "strength": 2}`)
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return c, nil
}
