package main

import (
	"errors"
	"io"
)

// These commands are being built; each moves to a file of its own (cmd_<name>.go).
var errNotYet = errors.New("not implemented yet")

func runScan(args []string, stdout, stderr io.Writer) error         { return errNotYet }
func runPlan(args []string, stdout, stderr io.Writer) error         { return errNotYet }
func runApply(args []string, stdout, stderr io.Writer) error        { return errNotYet }
func runResolve(args []string, stdout, stderr io.Writer) error      { return errNotYet }
func runExplainError(args []string, stdout, stderr io.Writer) error { return errNotYet }
