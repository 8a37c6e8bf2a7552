package mongo

import (
	"crypto/rand"
	"encoding/hex"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// newRunID names one process's work on the server: 12 hex digits, short enough to type into
// a currentOp filter and random enough that two runs in one day never share one.
func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// RunID is the id of this client's run: printed at the start, stored in the manifest, and
// part of the comment every command carries.
func (c *Client) RunID() string { return c.runID }

// comment is the comment every command dupes sends carries, "dupes SUBCOMMAND RUNID", so a
// DBA finds dupes' operations in currentOp, the profiler and the server log, and can kill
// them by it. Every call into the driver passes it (SetComment, or withComment for
// RunCommand).
func (c *Client) comment() string {
	sub := c.command
	if sub == "" {
		sub = "tui"
	}
	return "dupes " + sub + " " + c.runID
}

// withComment appends the comment to a command document for RunCommand.
func (c *Client) withComment(cmd bson.D) bson.D {
	return append(cmd, bson.E{Key: "comment", Value: c.comment()})
}
