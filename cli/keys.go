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
  dupes keys --key F[,F...] [--sparse] [--collation JSON] [--ignore-case] [--trim] < DOCS

Reads documents, one per line, in Extended JSON (relaxed or canonical, as mongoexport writes
them), and prints for each the index keys a unique index on the key would hold for it:
  {"keys":[[v1,v2,...],...]}   one key per array element met along the paths, each value in
                               canonical Extended JSON, each distinct key once
  {"error":"..."}              MongoDB refuses to index the document (parallel arrays...)
Two documents are duplicates exactly when their key lists share a key, comparing numbers by
value (1, 1.0 and NumberLong(1) are one key) and strings by the collation. A missing field
keys as null, an empty array as undefined; --sparse leaves out keys made only of missing
fields. --collation takes the index's collation, e.g. '{"locale":"en","strength":2}'; one
dupes cannot decide exactly is refused. --ignore-case and --trim are the scan's loose modes.
A line that is not a document prints {"error":"line N: ..."} and the exit status is then 1.
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
	return writeKeys(stdin, stdout, spec)
}

// writeKeys prints one line per input document; lines it cannot answer make the status 1.
func writeKeys(in io.Reader, out io.Writer, spec model.KeySpec) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	w := bufio.NewWriter(out)
	failed, line := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		keys, err := model.IndexKeys([]byte(text), spec)
		switch {
		case errors.Is(err, model.ErrUnindexable):
			writeJSON(w, map[string]string{"error": err.Error()})
		case err != nil:
			failed++
			writeJSON(w, map[string]string{"error": fmt.Sprintf("line %d: %v", line, err)})
		default:
			if keys == nil {
				keys = []model.IndexKey{}
			}
			writeJSON(w, map[string][]model.IndexKey{"keys": keys})
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("keys: line %d: %w", line+1, err)
	}
	if failed > 0 {
		return fmt.Errorf("keys: %d of the lines could not be read or decided", failed)
	}
	return nil
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
