package mongo

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestBatchDeadlineFitsTheLease: a batch's deadline (which every write of it carries, on the
// client and as maxTimeMS) ends a renewal period before the lease does, so no write of a run
// can start once another run may take its lease; with too little left the run stops instead
// of sending the batch, and a lost lease stops it too.
func TestBatchDeadlineFitsTheLease(t *testing.T) {
	fresh := &lease{ttl: LeaseTTL, expires: time.Now().Add(LeaseTTL)}
	d, err := fresh.batchDeadline(ExecBatchTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if margin := fresh.expires.Sub(d); margin < LeaseTTL/leaseRenewals {
		t.Fatalf("the batch may run until %s before the lease ends, want at least a renewal period (%s)", margin, LeaseTTL/leaseRenewals)
	}
	if d.After(time.Now().Add(ExecBatchTimeout)) {
		t.Fatalf("the deadline %s passes ExecBatchTimeout", time.Until(d))
	}
	// Renewals failed: the lease ends a little after its margin.
	late := &lease{ttl: LeaseTTL, expires: time.Now().Add(LeaseTTL/leaseRenewals + 2*time.Second)}
	if _, err := late.batchDeadline(ExecBatchTimeout); err == nil || !strings.Contains(err.Error(), "too little time left") {
		t.Fatalf("a lease about to end gave a batch: %v", err)
	}
	lost := &lease{ttl: LeaseTTL, expires: time.Now().Add(LeaseTTL)}
	lost.lost = errLostForTest
	if _, err := lost.batchDeadline(ExecBatchTimeout); err != errLostForTest {
		t.Fatalf("a lost lease gave a batch: %v", err)
	}
	if LeaseTTL-LeaseTTL/leaseRenewals < ExecBatchTimeout {
		t.Fatalf("LeaseTTL %s leaves less than ExecBatchTimeout %s after its margin: a full batch cannot fit", LeaseTTL, ExecBatchTimeout)
	}
}

var errLostForTest = errors.New("lost the lease")
