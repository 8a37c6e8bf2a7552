//go:build unix

package mongo

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockBackup takes an exclusive lock on a backup file for the life of the run, so two runs of
// one plan (which would share the backup) cannot interleave their records.
func lockBackup(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("backup %s is in use by another dupes run of the same plan: wait for it to finish", f.Name())
	}
	if err != nil && !errors.Is(err, syscall.ENOTSUP) && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("lock the backup %s: %w", f.Name(), err)
	}
	return nil
}
