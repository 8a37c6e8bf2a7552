package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dupes-tui/dupes/model"
)

const keysUsage = `dupes keys: why are these two documents duplicates?

Usage:
  dupes keys --key F[,F...] [--sparse] [--collation JSON] [--ignore-case] [--trim] [--groups] < DOCS

Reads documents, one per line, in Extended JSON (relaxed or canonical, as mongoexport writes
them; read by the MongoDB Go driver, so what it refuses is refused here), and prints for each
the index keys a unique index on the key would hold for it:
  {"keys":[[v1,v2,...],...]}   one key per array element met along the paths, each value in
                               canonical Extended JSON, each distinct key once
  {"error":"..."}              MongoDB refuses to index the document (parallel arrays...)
Output line N answers input line N: a blank input line gives a blank output line.
Two documents are duplicates exactly when their key lists share a key, comparing numbers by
value (1, 1.0 and NumberLong(1) are one key) and strings by the collation. A missing field
keys as null, an empty array as undefined; --sparse leaves out keys made only of missing
fields. --collation takes the index's collation, e.g. '{"locale":"en","strength":2}'; one
dupes cannot decide exactly is refused. --ignore-case and --trim are the scan's loose modes.
A line that is not a document prints {"error":"line N: ..."} and the exit status is then 1.

--groups prints, in place of each line's keys, which lines collide and on which key: one line
per key that two or more input lines share, in the order the keys are first met,
  {"key":[v1,v2,...],"lines":[3,7,9]}   input line numbers, from 1, blank lines counted
the key as the first of those lines spells it. Keys are compared as above, by the same rule the
scan uses, so no one has to compare keys by hand. No line is printed when nothing collides.
Lines that cannot be indexed or read are printed first, as {"error":"line N: ..."}.
`

// runKeys is `dupes keys`: the key generator on standard input, so a DBA can see
// what the scan sees.
func runKeys(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("keys")
	key := fs.String("key", "", "key fields F[,F...]")
	sparse := fs.Bool("sparse", false, "as a sparse index: no key made only of missing fields")
	coll := fs.String("collation", "", "the index's collation, as JSON")
	ignoreCase := fs.Bool("ignore-case", false, "lower-case string key values (ASCII), as the scan does")
	trim := fs.Bool("trim", false, "trim whitespace around string key values, as the scan does")
	groups := fs.Bool("groups", false, "print which lines collide, and on which key, instead of each line's keys")
	positional, err := parse(fs, args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, keysUsage)
		return nil
	}
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usagef("keys: unexpected argument %q (documents come on standard input)", positional[0])
	}
	spec := model.KeySpec{Sparse: *sparse, IgnoreCase: *ignoreCase, Trim: *trim}
	if *key == "" {
		return usagef("keys: --key F[,F...] is required")
	}
	if spec.Fields, err = model.ParseFields(*key); err != nil {
		return usagef("keys: --key: %v", err)
	}
	if *coll != "" {
		if spec.Collation, err = model.ParseCollation(*coll); err != nil {
			return usagef("keys: --collation: %v", err)
		}
	}
	if *groups {
		return writeKeyGroups(stdin, stdout, spec)
	}
	return writeKeys(stdin, stdout, spec)
}

// keysLine is one input line's answer: its keys, or why it has none.
type keysLine struct {
	n     int // from 1
	blank bool
	keys  []model.IndexKey
	err   error // model.ErrUnindexable, or the line could not be read
}

// eachKeysLine reads documents, one a line, and hands each line's keys to do, in order. It
// returns how many lines could not be read (unindexable documents are answers, not failures).
func eachKeysLine(in io.Reader, spec model.KeySpec, do func(keysLine)) (failed int, err error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			do(keysLine{n: line, blank: true})
			continue
		}
		keys, err := model.IndexKeys([]byte(text), spec)
		if err != nil && !errors.Is(err, model.ErrUnindexable) {
			failed++
			err = fmt.Errorf("line %d: %w", line, err)
		}
		do(keysLine{n: line, keys: keys, err: err})
	}
	if err := sc.Err(); err != nil {
		return failed, fmt.Errorf("keys: line %d: %w", line+1, err)
	}
	return failed, nil
}

// writeKeys prints one line per input line; lines it cannot read make the status 1.
func writeKeys(in io.Reader, out io.Writer, spec model.KeySpec) error {
	w := bufio.NewWriter(out)
	unwritten := 0
	failed, err := eachKeysLine(in, spec, func(l keysLine) {
		switch {
		case l.blank:
			w.WriteByte('\n')
		case l.err != nil:
			writeJSON(w, map[string]string{"error": l.err.Error()})
		default:
			keys := l.keys
			if keys == nil {
				keys = []model.IndexKey{}
			}
			if werr := writeJSON(w, map[string][]model.IndexKey{"keys": keys}); werr != nil {
				// Never a missing line: the output must stay line for line with the input.
				unwritten++
				writeJSON(w, map[string]string{"error": fmt.Sprintf("line %d: the keys cannot be written as JSON: %v", l.n, werr)})
			}
		}
	})
	return keysDone(w, failed+unwritten, err)
}

// keyGroup is one key that several input lines share.
type keyGroup struct {
	Key   model.IndexKey `json:"key"`
	Lines []int          `json:"lines"`
}

// writeKeyGroups prints the keys two or more lines share. Keys are matched by KeySpec.KeyID,
// the key generator's own equality, which is what a unique index refuses.
func writeKeyGroups(in io.Reader, out io.Writer, spec model.KeySpec) error {
	w := bufio.NewWriter(out)
	byID := map[string]*keyGroup{}
	var order []*keyGroup
	failed, err := eachKeysLine(in, spec, func(l keysLine) {
		if l.err != nil {
			msg := l.err.Error()
			if errors.Is(l.err, model.ErrUnindexable) {
				msg = fmt.Sprintf("line %d: %s", l.n, msg)
			}
			writeJSON(w, map[string]string{"error": msg})
			return
		}
		for _, k := range l.keys {
			id := spec.KeyID(k)
			g := byID[id]
			if g == nil {
				g = &keyGroup{Key: k}
				byID[id] = g
				order = append(order, g)
			}
			g.Lines = append(g.Lines, l.n)
		}
	})
	for _, g := range order {
		if len(g.Lines) > 1 {
			if werr := writeJSON(w, g); werr != nil {
				failed++
				writeJSON(w, map[string]string{"error": fmt.Sprintf("lines %v: the key cannot be written as JSON: %v", g.Lines, werr)})
			}
		}
	}
	return keysDone(w, failed, err)
}

func keysDone(w *bufio.Writer, failed int, err error) error {
	if ferr := w.Flush(); ferr != nil {
		return ferr
	}
	if err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("keys: %d of the lines could not be read or decided", failed)
	}
	return nil
}

// writeJSON writes v as one line of JSON. The encoder checks what Values hold, so an error
// means nothing was written.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
