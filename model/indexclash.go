package model

import "fmt"

// IndexExistsError says the unique index offered was not built because an index of that name
// exists and is not unique: the fix is to make that one unique (collMod), or drop and build.
type IndexExistsError struct {
	NS   Namespace
	Name string
	Err  error // the server's answer, if any
}

func (e *IndexExistsError) Error() string {
	return fmt.Sprintf("an index named %s exists on %s and is not unique", e.Name, e.NS)
}

func (e *IndexExistsError) Unwrap() error { return e.Err }
