package mongo

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// machineID names this kernel and this process's PID namespace ("BOOT-ID/pid:[INODE]"): two
// processes with the same host name, machine and PID namespace see the same PIDs. Containers
// share the kernel's boot id but not the PID namespace, so a lease written in one container is
// never judged by PIDs in another. "" where /proc cannot say (not Linux): leases then wait for
// their expiry, as before.
func machineID() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + ns
}

// holderIsDead reports whether a lease's holder is a process of this host, machine and PID
// namespace that no longer exists: a crashed run whose lease need not be waited for. A PID
// taken since by another process counts as alive, which only costs the wait.
func holderIsDead(held LeaseInfo, host, machine string) bool {
	if machine == "" || held.Machine != machine || held.Host != host || held.PID <= 0 || held.PID == os.Getpid() {
		return false
	}
	err := syscall.Kill(held.PID, 0)
	return errors.Is(err, syscall.ESRCH)
}
