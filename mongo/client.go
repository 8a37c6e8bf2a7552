// Package mongo is dupes' adapter to MongoDB: the only package that imports the driver.
// It connects, lists what a deployment holds, samples fields, scans for duplicate groups and
// fetches documents, and returns model types so nothing above it sees BSON.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// DefaultURI is used when neither an argument nor $MONGODB_URI names a deployment.
const DefaultURI = "mongodb://localhost:27017"

// ConnectTimeout bounds how long Connect waits for a server before saying it cannot reach one.
const ConnectTimeout = 5 * time.Second

// ErrReadOnly is returned by every writing call of a client opened with ReadOnly.
var ErrReadOnly = errors.New("dupes runs read-only (--read-only): nothing is written")

// Options tune a connection.
type Options struct {
	// ReadOnly makes every writing method fail with ErrReadOnly before it touches the server.
	ReadOnly bool
	// Timeout bounds server selection and the first ping; ConnectTimeout when zero.
	Timeout time.Duration
	// LeaseDB holds the runs' leases (LeaseCollection) instead of each namespace's own
	// database: for a user who may not create a collection beside the data.
	LeaseDB string
	// Command names the subcommand ("scan", "apply", …; "tui" when empty) in the comment
	// every command carries (run.go).
	Command string
	// ReadPreference is the mode of the reads that may go to a secondary (read.go): the scan,
	// the sample, the members and their fingerprints. "" takes the URI's, else primary.
	// Writes, the guard and restores always use the primary.
	ReadPreference string
	// MaxTime bounds each long read (the scan, the sample, the reads of members): it is sent
	// as maxTimeMS, and dupes stops waiting a little later (read.go). 0: no limit.
	MaxTime time.Duration
}

// Client is a connection to one deployment.
type Client struct {
	mc       *mongo.Client
	uri      string  // redacted: safe to show
	secret   secrets // the URI and its secrets, to scrub from any error text
	readOnly bool
	leaseDB  string             // Options.LeaseDB
	engine   engineCache        // what Engine found, asked once
	command  string             // Options.Command
	runID    string             // newRunID: this process's run, in every command's comment
	readPref *readpref.ReadPref // of the long reads (read.go): Options.ReadPreference, else the URI's
	maxTime  time.Duration      // Options.MaxTime
}

// Connect opens a connection and checks that the server answers (and that the credentials, if
// any, are accepted) within the timeout. Its errors never contain the password.
func Connect(ctx context.Context, uri string, opt Options) (*Client, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = ConnectTimeout
	}
	c := &Client{uri: Redact(uri), secret: secretsOf(uri), readOnly: opt.ReadOnly, leaseDB: opt.LeaseDB,
		command: opt.Command, runID: newRunID(), maxTime: opt.MaxTime}
	if !strings.HasPrefix(uri, "mongodb://") && !strings.HasPrefix(uri, "mongodb+srv://") {
		return nil, fmt.Errorf("%q is not a MongoDB URI: it must start with mongodb:// or mongodb+srv://", c.uri)
	}
	co := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(opt.Timeout).
		SetConnectTimeout(opt.Timeout).
		SetAppName("dupes")
	if opt.MaxTime < 0 {
		return nil, fmt.Errorf("--max-time %s: want a positive duration", opt.MaxTime)
	}
	rp, err := readPreference(opt.ReadPreference, co.ReadPreference)
	if err != nil {
		return nil, fmt.Errorf("--read-preference: %w", err)
	}
	// The client's default too, so that any other read (an estimated count, a preview) follows it; writes
	// ignore it, and the guard names the primary (primary).
	c.readPref = rp
	co.SetReadPreference(rp)
	// The driver takes a host it cannot dial ("[::1" without its bracket) and fails only at
	// the dial, which would read as a server out of reach: say the URI is wrong instead.
	for _, h := range co.Hosts {
		_, _, err := net.SplitHostPort(h)
		if err != nil {
			_, _, err = net.SplitHostPort(h + ":27017") // no port: the default one
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not a valid MongoDB URI: host %q: %v", c.uri, h, err)
		}
	}
	mc, err := mongo.Connect(co)
	if err != nil {
		return nil, c.wrap("connect to "+c.uri, err)
	}
	pctx, cancel := context.WithTimeout(ctx, opt.Timeout+time.Second)
	defer cancel()
	ping := c.withComment(bson.D{{Key: "ping", Value: 1}})
	if err := mc.Database("admin").RunCommand(pctx, ping, options.RunCmd().SetReadPreference(readpref.PrimaryPreferred())).Err(); err != nil {
		_ = mc.Disconnect(context.Background())
		return nil, c.wrap("connect to "+c.uri, err)
	}
	c.mc = mc
	return c, nil
}

// URI is the connection string with its secrets replaced (Redact), safe to show and log.
func (c *Client) URI() string { return c.uri }

// ReadOnly reports whether writes are refused.
func (c *Client) ReadOnly() bool { return c.readOnly }

// Close ends the connection.
func (c *Client) Close(ctx context.Context) error {
	if c == nil || c.mc == nil {
		return nil
	}
	return c.mc.Disconnect(ctx)
}

func (c *Client) coll(ns model.Namespace) *mongo.Collection {
	return c.mc.Database(ns.DB).Collection(ns.Coll)
}

// lastError pulls the useful part out of the driver's server-selection error, which
// otherwise prints a whole topology description.
var lastError = regexp.MustCompile(`Last error: ([^}]*?)\s*}`)

// wrap turns a driver error into one sentence a DBA can act on, without the password.
func (c *Client) wrap(what string, err error) error {
	// The driver's words are scrubbed before ours join them: a password that is an English
	// word must not be masked out of the advice below.
	var mt *MaxTimeError
	if errors.As(err, &mt) {
		return err // already one sentence, naming the read
	}
	msg := scrub(err.Error(), c.secret)
	switch {
	case errors.Is(err, context.Canceled):
		msg = "cancelled"
	case isServerSelection(err):
		reason := "no server answered within " + ConnectTimeout.String()
		if m := lastError.FindStringSubmatch(msg); m != nil {
			reason = m[1]
		}
		msg = "cannot reach the server: " + reason
	case strings.Contains(msg, "auth error") || strings.Contains(msg, "Authentication failed"):
		reason := msg
		if _, after, ok := strings.Cut(msg, "auth error: "); ok {
			reason = after
		}
		msg = "authentication failed; check the user name, password and authSource in the URI (" + reason + ")"
	}
	return &Error{What: what, Msg: msg, Err: err}
}

func isServerSelection(err error) bool {
	var sse topology.ServerSelectionError
	return errors.As(err, &sse) || strings.Contains(err.Error(), "server selection error")
}

// Error is an adapter error: what was being done and why it failed, with secrets removed.
// Unwrap gives the driver's error for errors.Is checks; its text may hold the password, so
// show Error() only.
type Error struct {
	What string
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.What + ": " + e.Msg }

// Unwrap gives the underlying error.
func (e *Error) Unwrap() error { return e.Err }
