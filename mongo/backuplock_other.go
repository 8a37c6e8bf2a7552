//go:build !unix

package mongo

import "os"

// lockBackup does nothing where flock does not exist; see backuplock_unix.go.
func lockBackup(*os.File) error { return nil }
