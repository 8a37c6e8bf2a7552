package mongo

// MachineID is machineID for the external tests, which write leases as another run would.
var MachineID = machineID
