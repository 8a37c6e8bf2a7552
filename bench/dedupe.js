// The hand-written cleanup that dupes replaces (DESIGN.md §1), as a DBA runs it today:
//
//   mongosh --quiet --norc "mongodb://HOST:PORT/dupes_bench" bench/dedupe.js
//
// It is the benchmark's baseline: `go run ./bench` runs this file with real mongosh against the
// same seeded data as `dupes resolve` and times the mongosh process end to end. The statement is
// DESIGN.md's, unchanged, except that it counts what it did and prints the counts on its last
// line, so the runner can check them (counting costs nothing next to a round trip per group).
// No $sort: it keeps whichever document $push met first. No backup, no guard, no dry run.

let groups = 0;
let deleted = 0;

db.users.aggregate([
  { $group: { _id: "$email", count: { $sum: 1 }, docs: { $push: "$_id" } } },
  { $match: { count: { $gt: 1 } } }
]).forEach(function (doc) {
  doc.docs.shift();
  deleted += db.users.deleteMany({ _id: { $in: doc.docs } }).deletedCount;
  groups++;
});

print(JSON.stringify({ groups: groups, deleted: deleted }));
