package main

import (
	"errors"
	"io"
)

// These commands are being built; each moves to a file of its own (cmd_<name>.go).
var errNotYet = errors.New("not implemented yet")

func runTUI(args []string, stdout, stderr io.Writer) error { return errNotYet }
