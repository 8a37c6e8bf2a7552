package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// mongoshVersion is the mongosh the baseline is measured with: the one ../shared/clients/install.sh
// pins (whole npm tree locked by its package-lock.json).
const mongoshVersion = "2.12.0"

// scriptFile is the baseline script, a plain mongosh file a DBA can read and run by hand.
const scriptFile = "bench/dedupe.js"

// findMongosh returns the pinned mongosh, installing it when it is missing. override (-mongosh)
// names a binary to use as is. Otherwise the shared kit's install.sh is run with `mongosh`: it
// is idempotent (about a second when the right version is there already) and its stdout's one
// line names the folder it installed into.
func findMongosh(root, override string) (string, error) {
	if override != "" {
		return override, checkMongosh(override)
	}
	script, err := clientsInstaller(root)
	if err != nil {
		// No kit beside the repository: a mongosh installed by it earlier still does.
		if p := filepath.Join(clientsPrefix(), "mongosh"); checkMongosh(p) == nil {
			fmt.Fprintf(os.Stderr, "bench: %v; using the installed %s\n", err, p)
			return p, nil
		}
		return "", err
	}
	fmt.Fprintf(os.Stderr, "bench: %s mongosh\n", script)
	cmd := exec.Command("bash", script, "mongosh")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s mongosh: %w", script, err)
	}
	// The line is `export PATH=PREFIX:"$PATH"` (PREFIX shell-quoted only if it needs it).
	prefix := clientsPrefix()
	line := strings.TrimSpace(string(out))
	if rest, ok := strings.CutPrefix(line, "export PATH="); ok {
		if p, _, ok := strings.Cut(rest, `:"$PATH"`); ok && !strings.ContainsAny(p, `'"\`) {
			prefix = p
		}
	}
	p := filepath.Join(prefix, "mongosh")
	return p, checkMongosh(p)
}

// clientsPrefix is where install.sh puts the tools unless told otherwise.
func clientsPrefix() string {
	if p := os.Getenv("CLIENTS_PREFIX"); p != "" {
		return p
	}
	return "/opt/dupes-clients/bin"
}

// clientsInstaller finds shared/clients/install.sh, a sibling of the repository: ../shared from
// the module root, or from the main checkout's root when this is a git worktree elsewhere.
func clientsInstaller(root string) (string, error) {
	dirs := []string{root}
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--path-format=absolute", "--git-common-dir").Output(); err == nil {
		dirs = append(dirs, filepath.Dir(strings.TrimSpace(string(out))))
	}
	var tried []string
	for _, d := range dirs {
		p := filepath.Join(d, "..", "shared", "clients", "install.sh")
		if _, err := os.Stat(p); err == nil {
			return filepath.Clean(p), nil
		}
		tried = append(tried, filepath.Clean(p))
	}
	return "", fmt.Errorf("no clients kit at %s", strings.Join(tried, " or "))
}

// checkMongosh makes sure p runs and is the pinned version: figures from another mongosh would
// not compare with the recorded ones.
func checkMongosh(p string) error {
	out, err := exec.Command(p, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", p, err)
	}
	if v := strings.TrimSpace(string(out)); v != mongoshVersion {
		return fmt.Errorf("%s is mongosh %s, the baseline is measured with %s (../shared/clients/install.sh mongosh)", p, v, mongoshVersion)
	}
	return nil
}

// dbURI is uri with its database path set to db, keeping host list and options, so the
// script's `db` is that database (as `mongosh "mongodb://host/shop"` would make it).
func dbURI(uri, db string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("-uri: %w", err)
	}
	if u.Scheme != "mongodb" && u.Scheme != "mongodb+srv" {
		return "", fmt.Errorf("-uri %q: not a mongodb:// URI", uri)
	}
	u.Path, u.RawPath = "/"+db, ""
	return u.String(), nil
}

// scriptResult is one run of the mongosh script: the process measured end to end (node's
// start, connect, aggregation, one deleteMany per group) and what the script says it did.
type scriptResult struct {
	cmdResult
	Groups  int   `json:"groups"`
	Deleted int64 `json:"deleted"`
}

// script runs bench/dedupe.js with mongosh against the bench database.
func (b *bench) script(ctx context.Context) (scriptResult, error) {
	var r scriptResult
	if b.mongosh == "" {
		return r, errors.New("mongosh was not set up")
	}
	u, err := dbURI(b.uri, benchNS.DB)
	if err != nil {
		return r, err
	}
	r.cmdResult, err = runMeasured(ctx, b.mongosh, "--quiet", "--norc", u, filepath.Join(b.root, scriptFile))
	if err != nil {
		return r, err
	}
	lines := strings.Split(strings.TrimSpace(r.Head), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return r, fmt.Errorf("%s printed %q, not its counts: %w", scriptFile, tail(r.Head), err)
	}
	return r, nil
}

// mongoshStart times mongosh doing nothing but connect (`--eval 1`), so a report can say how
// much of the script's time is node starting up.
func (b *bench) mongoshStart(ctx context.Context) (cmdResult, error) {
	u, err := dbURI(b.uri, benchNS.DB)
	if err != nil {
		return cmdResult{}, err
	}
	return runMeasured(ctx, b.mongosh, "--quiet", "--norc", u, "--eval", "1")
}
