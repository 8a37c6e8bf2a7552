package mongo

import "time"

// MachineID is machineID for the external tests, which write leases as another run would.
var MachineID = machineID

// WithLeaseTTL sets a run's lease TTL, for the external tests of a lease that lapses.
func WithLeaseTTL(o ExecOptions, ttl time.Duration) ExecOptions {
	o.leaseTTL = ttl
	return o
}
