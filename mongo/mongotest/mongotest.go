// Package mongotest gives tests a live server speaking the MongoDB wire protocol and a fresh
// database on it.
//
// With $MONGODB_URI set, tests use that server. Otherwise the first test that asks starts
// mongo-java-server (in-memory) on a free loopback port, once per test binary; it stops when
// the binary exits, because it serves only while its standard input stays open. Its jars come
// from Maven Central through Maven and stay in ~/.m2; the classpath is cached under the user
// cache directory so later runs do not start Maven at all.
//
// If no server can be had the calling test fails, saying how to provide one: live tests never
// pass by skipping.
package mongotest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var (
	once      sync.Once
	sharedURI string // the server's URI
	startErr  error
	client    *mongo.Client
	counter   atomic.Int64
	// shared is the server launched for this test binary, kept referenced while tests run.
	//lint:ignore U1000 written only: holding the reference is its job
	shared *Server
)

// JavaServer reports whether the tests run against mongo-java-server, whose gaps (docs/engines.md:
// collation and partial filters ignored, no $type…) some tests must allow for.
func JavaServer() bool { return os.Getenv("MONGODB_URI") == "" }

// URI returns the live server's URI, starting the server on first use.
func URI(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { sharedURI, startErr = start() })
	if startErr != nil {
		tb.Fatalf("no live MongoDB server for this test: %v\n"+
			"Set MONGODB_URI to a server you own, or install Java 17+ and Maven so the tests can "+
			"start mongo-java-server (see CONTRIBUTING.md).", startErr)
	}
	return sharedURI
}

// Client returns a driver client connected to the live server, shared by the tests of a binary.
func Client(tb testing.TB) *mongo.Client {
	tb.Helper()
	uri := URI(tb)
	if client == nil {
		c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
		if err != nil {
			tb.Fatalf("connect to test server: %v", err)
		}
		client = c
	}
	return client
}

// DB gives the test a database of its own, dropped when the test ends.
func DB(tb testing.TB) *mongo.Database {
	tb.Helper()
	c := Client(tb)
	name := dbName(tb.Name())
	db := c.Database(name)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
	})
	return db
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_]`)

// dbName makes a unique database name within MongoDB's 63-byte limit.
func dbName(test string) string {
	n := counter.Add(1)
	base := unsafeChars.ReplaceAllString(test, "_")
	if len(base) > 40 {
		base = base[:40]
	}
	return fmt.Sprintf("dupes_%s_%d_%d", base, os.Getpid()%100000, n)
}

// start launches mongo-java-server, or returns $MONGODB_URI.
func start() (string, error) {
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		return uri, nil
	}
	srv, err := Launch()
	if err != nil {
		return "", err
	}
	// The server's stdin stays open for the life of this process (held in a package variable,
	// so no finalizer closes it); the server exits when it closes.
	shared = srv
	return srv.URI, nil
}

// sourceDir is this package's directory, where the launcher and its pom live.
func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "javaserver")
}

// classpath returns the server's classpath, asking Maven only when the cached one is missing
// or names a jar that is gone.
func classpath(dir string) (string, error) {
	pom, err := os.ReadFile(filepath.Join(dir, "pom.xml"))
	if err != nil {
		return "", fmt.Errorf("read the test server's pom.xml: %w", err)
	}
	sum := sha256.Sum256(pom)
	cacheDir, err := os.UserCacheDir()
	if err != nil {
		cacheDir = os.TempDir()
	}
	cacheFile := filepath.Join(cacheDir, "dupes", "testserver-"+hex.EncodeToString(sum[:8])+".classpath")
	if cp, err := os.ReadFile(cacheFile); err == nil && jarsExist(string(cp)) {
		return strings.TrimSpace(string(cp)), nil
	}
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return "", errors.New("maven (mvn) is not installed; it fetches mongo-java-server from Maven Central")
	}
	if err := os.MkdirAll(filepath.Dir(cacheFile), 0o755); err != nil {
		return "", err
	}
	// go test runs several test binaries at once: let one of them run Maven, the others wait.
	unlock, err := lock(cacheFile + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if cp, err := os.ReadFile(cacheFile); err == nil && jarsExist(string(cp)) {
		return strings.TrimSpace(string(cp)), nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", cacheFile, os.Getpid())
	cmd := exec.Command(mvn, "-q", "-B", "-f", filepath.Join(dir, "pom.xml"),
		"dependency:build-classpath", "-Dmdep.outputFile="+tmp)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("maven could not fetch mongo-java-server: %v\n%s", err, tail(out))
	}
	if err := os.Rename(tmp, cacheFile); err != nil {
		return "", err
	}
	cp, err := os.ReadFile(cacheFile)
	return strings.TrimSpace(string(cp)), err
}

// lock takes an exclusive lock file (portable: created with O_EXCL), waiting for another
// process that holds it; a lock older than ten minutes is taken to be left by a killed run.
func lock(path string) (unlock func(), err error) {
	for start := time.Now(); ; {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !os.IsExist(err) {
			return nil, err
		}
		if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) > 10*time.Minute {
			os.Remove(path)
			continue
		}
		if time.Since(start) > 15*time.Minute {
			return nil, fmt.Errorf("waited 15 minutes for %s; remove it if no test run is fetching jars", path)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func jarsExist(cp string) bool {
	cp = strings.TrimSpace(cp)
	if cp == "" {
		return false
	}
	for _, jar := range filepath.SplitList(cp) {
		if _, err := os.Stat(jar); err != nil {
			return false
		}
	}
	return true
}

func tail(b []byte) string {
	const n = 2000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
