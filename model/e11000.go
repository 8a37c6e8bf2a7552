package model

import "errors"

// DupKeyError is what an E11000 duplicate key error says: the namespace, the unique index, and
// the key values that collided, so dupes can open that very group.
type DupKeyError struct {
	NS     Namespace
	Index  string
	Fields []string // key fields, when the message names them (keyPattern or "dup key: { f: … }")
	Values []Value  // one per field
}

// ParseE11000 reads an E11000 message in the server's modern or old format, or a driver
// error's JSON with keyPattern/keyValue.
func ParseE11000(msg string) (DupKeyError, error) {
	return DupKeyError{}, errors.New("parsing E11000 messages is not implemented yet")
}
