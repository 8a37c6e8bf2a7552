// Command dupes finds duplicate documents in a MongoDB collection, shows them, lets you choose
// which document of each group to keep, and deletes the rest safely (backup first, guarded
// deletes). Run with no subcommand for the terminal UI; see usage for the batch commands.
package main

import (
	"os"

	"github.com/dupes-tui/dupes/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
