package mongo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// ManifestVersion is the version of the manifest format this build writes.
const ManifestVersion = 1

// Run states recorded in a manifest.
const (
	RunRunning   = "running"   // in progress, or the process died: resume by re-running the plan
	RunDone      = "done"      // every group was handled
	RunCancelled = "cancelled" // stopped by the user after a batch
	RunFailed    = "failed"    // stopped by an error; re-running the plan resumes it
)

// Manifest is the JSON file written beside a backup: what was backed up from where, under
// which plan, and how far the run got. It never holds a password (the URI is redacted).
type Manifest struct {
	Version       int             `json:"version"`
	Tool          string          `json:"tool"`
	NS            model.Namespace `json:"ns"`
	URI           string          `json:"uri"`
	Key           model.Key       `json:"key"`
	Semantics     string          `json:"semantics"`
	Rule          string          `json:"rule,omitempty"`
	PlanDigest    string          `json:"planDigest"`
	PlanCreatedAt time.Time       `json:"planCreatedAt"`
	// Backup is the .bson file's name, in the manifest's directory.
	Backup     string    `json:"backup"`
	Status     string    `json:"status"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
	// Runs counts the runs that wrote this backup: more than 1 after a resume.
	Runs   int            `json:"runs"`
	Counts ManifestCounts `json:"counts"`
	// Undo is the command that restores the backup into the server and namespace it came
	// from (model.UndoCommand), once the backup holds a document.
	Undo string `json:"undo,omitempty"`

	// Keepers names the before-images of the keepers a merging plan updated (merge.go).
	Keepers *KeepersBackup `json:"keepers,omitempty"`
	// Streamed marks the run of a streamed resolve (execute_stream.go): it has no plan digest
	// and is never resumed; running resolve again goes on where it stopped.
	Streamed bool `json:"streamed,omitempty"`
	// RunID is the latest run's id (Client.RunID): the comment of every command it sent
	// carries it, so the server's logs and currentOp tell which run did what.
	RunID string `json:"runId,omitempty"`
}

// ManifestCounts are the run's totals, across resumes.
type ManifestCounts struct {
	Groups         int `json:"groups"`
	PlannedDeletes int `json:"plannedDeletes"`
	// BackedUp is the number of records in the backup file.
	BackedUp   int `json:"backedUp"`
	Deleted    int `json:"deleted"`
	Skipped    int `json:"skipped"`
	Failed     int `json:"failedGroups"`
	NotReached int `json:"notReached"`
}

// ReadManifest reads a manifest file.
func ReadManifest(path string) (Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("manifest %s is not a dupes backup manifest: %w", path, err)
	}
	if m.Tool != "dupes" || m.Version < 1 {
		return Manifest{}, fmt.Errorf("manifest %s is not a dupes backup manifest", path)
	}
	if m.Version > ManifestVersion {
		return Manifest{}, fmt.Errorf("manifest %s has version %d; this dupes reads up to %d", path, m.Version, ManifestVersion)
	}
	return m, nil
}

// writeManifest replaces the manifest atomically (temporary file, sync, rename, sync of the
// directory), so a crash leaves either the old or the new one, never half of one.
func writeManifest(path string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write manifest %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a new or renamed directory entry durable; best effort, as some file systems
// do not support syncing a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// manifestPath is the manifest beside a .bson (or gzipped .bson.gz) backup.
func manifestPath(bsonPath string) string {
	return strings.TrimSuffix(strings.TrimSuffix(bsonPath, ".gz"), ".bson") + ".json"
}

// setUndo puts the undo command in the report and the manifest, once the backup holds a
// document: a backup that holds nothing has nothing to undo, and printing a command for it
// would suggest otherwise. The path is absolute, so the command works from any directory.
func (r *execRun) setUndo() {
	r.rep.Undo, r.manifest.Undo = "", ""
	if r.backup == nil || r.backup.records == 0 {
		return
	}
	path := r.backup.path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	r.rep.Undo = model.UndoCommand(r.c.URI(), r.plan.NS, path)
	r.manifest.Undo = r.rep.Undo
}

// BackupServer is the server the backups at path (a file or a directory) came from, as their
// manifests record it (the URI with its password shown as ****), so a restore given no --uri
// goes back where the documents were deleted. Backups from different servers, or without a
// manifest naming one, are an error asking for --uri.
func BackupServer(path string) (string, error) {
	files, err := backupFiles(path)
	if err != nil {
		return "", err
	}
	uri := ""
	for _, f := range files {
		m, err := ReadManifest(manifestPath(f))
		if err != nil {
			return "", fmt.Errorf("no server to restore into: %w; give it with --uri", err)
		}
		switch {
		case m.URI == "":
			return "", fmt.Errorf("the manifest of %s names no server: give it with --uri", f)
		case uri != "" && m.URI != uri:
			return "", fmt.Errorf("%s holds backups from two servers (%s and %s): give one with --uri, or restore one file at a time", path, uri, m.URI)
		}
		uri = m.URI
	}
	return uri, nil
}

// findRun looks in dir for the latest manifest of an earlier run of the same plan (same
// digest, same namespace), so re-running a plan continues its backup instead of starting a
// second one. It returns "" when there is none.
func findRun(dir string, ns model.Namespace, digest string) (string, Manifest, error) {
	matches, err := filepath.Glob(filepath.Join(dir, globEscape(nsFileName(ns))+".*.json"))
	if err != nil {
		return "", Manifest{}, err
	}
	if raw := ns.String(); raw != nsFileName(ns) && !strings.ContainsAny(raw, `/\`) {
		// A run of a dupes that named files by the raw namespace.
		old, err := filepath.Glob(filepath.Join(dir, globEscape(raw)+".*.json"))
		if err != nil {
			return "", Manifest{}, err
		}
		matches = append(matches, old...)
	}
	var best string
	var bestM Manifest
	for _, p := range matches {
		m, err := ReadManifest(p)
		if err != nil || m.PlanDigest != digest || m.NS != ns {
			continue
		}
		if best == "" || m.StartedAt.After(bestM.StartedAt) {
			best, bestM = p, m
		}
	}
	return best, bestM, nil
}

// nsFileName is a namespace as one file name: every byte but ASCII letters, digits, '.', '_'
// and '-' is written %XX, so a collection named "a/../../x" stays one name inside the backup
// directory, and the name reads back with url.PathUnescape.
func nsFileName(ns model.Namespace) string {
	s := ns.String()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// globEscape quotes the characters filepath.Match treats specially (collection names may
// hold them).
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// backupStamp is the TIMESTAMP part of DB.COLL.TIMESTAMP.bson: UTC, sortable, no colons.
func backupStamp(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// createBackup makes a new backup file DB.COLL.TIMESTAMP.bson in dir (adding -2, -3… if two
// runs start within a second).
func createBackup(dir string, ns model.Namespace, now time.Time) (*backupFile, error) {
	if dir == "" {
		return nil, errors.New("no backup directory given: dupes never deletes without a backup")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("backup directory %s: %w", dir, err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("backup directory %s is not a directory", dir)
	}
	base := filepath.Join(dir, nsFileName(ns)+"."+backupStamp(now))
	for i := 1; ; i++ {
		p := base + ".bson"
		if i > 1 {
			p = fmt.Sprintf("%s-%d.bson", base, i)
		}
		b, _, err := openBackup(p, true)
		if err == nil {
			syncDir(dir)
			return b, nil
		}
		if !errors.Is(err, os.ErrExist) || i >= 100 {
			return nil, fmt.Errorf("backup directory %s: %w", dir, err)
		}
	}
}
