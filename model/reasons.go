package model

// Skip reasons: why a planned delete did not happen. Every executor (the server's in package
// mongo, the demo store's in memstore) reports these words, so the UI's tests see production
// wording and Report.SkippedBy counts both under the same names (ReasonName: the words before
// the colon).
const (
	ReasonGone          = "gone: the document no longer exists"
	ReasonKeyChanged    = "key changed: the document no longer collides with the document kept"
	ReasonKeeperGone    = "keeper gone: the document to keep no longer exists, so the group is left alone"
	ReasonKeeperChanged = "keeper changed: the document to keep no longer has the group's key, or no longer matches the filter, so the group is left alone"
	ReasonFiltered      = "filtered out: the document no longer matches the scan's filter or the index's partial filter"
	// ReasonUnkeyable: the document (or the one to keep, and then the whole group) has no
	// index keys dupes can decide: MongoDB would refuse to index it (parallel arrays...), or
	// the collation cannot decide one of its strings.
	ReasonUnkeyable = "cannot be keyed: MongoDB would not index this document or the one to keep under the key (or the collation cannot decide its strings), so it is left alone"
	// ReasonChanged: the whole-document guard found the document different from the copy just
	// read and backed up. The backup holds that earlier copy although the document was not
	// deleted (a restore reports it as existing and leaves the collection's version alone).
	ReasonChanged = "changed since read: the document changed after it was read and backed up, so it was not deleted"
	// ReasonUnequal: the document is still byte for byte the copy read and backed up, yet the
	// server did not find it equal to that copy, so the guard kept it. A server defect (or a
	// change and its undoing between the delete and the check after it); never a delete.
	ReasonUnequal = "not deleted: unchanged, but the server did not find it equal to its copy (mongo-java-server, for one, cannot compare documents holding an empty array)"
	// ReasonChangedSincePlan: the document re-read is not the version the plan recorded
	// (Fingerprint): it changed after the plan was made, or shown. It is not backed up.
	ReasonChangedSincePlan = "changed since the plan: the document is not the version the plan was made from, so it was not deleted"
	// ReasonKeeperChangedSincePlan: a merging plan's keeper is not the version the plan
	// recorded, so its merge, computed and approved from that version, is not written.
	ReasonKeeperChangedSincePlan = "keeper changed since the plan: the document to merge into is not the version the plan was made from, so nothing of the group was deleted"
	// ReasonTooLarge: the guarded delete carries the whole document, which cannot fit in one
	// statement when the document is within a few bytes of MongoDB's 16 MiB limit.
	ReasonTooLarge = "too large to guard: the delete statement would carry the whole document and pass 16 MiB, so it was not deleted"
	// ReasonMultikey: in a chunk planned on its own (a streamed resolve), the document (or
	// the one to keep) now has more than one index key.
	ReasonMultikey = "several key values since the scan: the document now holds an array under the key, so it may sit in groups planned apart from this one; left alone (run resolve again)"
)

// Reasons a merging plan leaves a whole group alone.
const (
	ReasonKeeperChangedMerge = "keeper changed since read: the merge into it was not written, so nothing of the group was deleted"
	ReasonMergeTooLarge      = "keeper too large to merge under the guard: the update would carry it twice and pass 16 MiB, so nothing of the group was deleted"
	ReasonMergeFailed        = "cannot merge into the keeper, so nothing of the group was deleted"
)
