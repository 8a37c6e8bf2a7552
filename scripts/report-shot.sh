#!/usr/bin/env bash
# scripts/report-shot.sh [URI] [OUT.png]   makes docs/report.png, the screenshot in docs/report.md
#
# Seeds a throwaway database on URI (default $MONGODB_URI, else the FerretDB of the test kit,
# mongodb://127.0.0.1:30500/) with demo-like users written twice or three times, makes a plan
# (--keep max:updatedAt) with this tree's dupes, takes one group's keeper by hand in the plan
# file, writes the report with dupes report --plan, and has headless Chromium take its top
# 1280x2000 pixels. The database is dropped at the end. Needs mongosh
# (/opt/dupes-clients/bin), jq and chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
uri=${1:-${MONGODB_URI:-mongodb://127.0.0.1:30500/}}
out=${2:-$repo/docs/report.png}
case $out in /*) ;; *) out=$PWD/$out ;; esac
export PATH="${CLIENTS_PREFIX:-/opt/dupes-clients/bin}:$PATH"
for tool in mongosh jq chromium; do
  command -v "$tool" >/dev/null 2>&1 || { echo "report-shot.sh: $tool is not installed" >&2; exit 1; }
done

db=shop_demo
# The database is the script's own: it is dropped at the end, so one that exists is refused.
if [ "$(mongosh --quiet "$uri" --eval "db.getSiblingDB('$db').getCollectionNames().length")" != 0 ]; then
  echo "report-shot.sh: $uri already has a database $db: refusing to seed (and drop) it" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'mongosh --quiet "$uri" --eval "db.getSiblingDB(\"$db\").dropDatabase()" >/dev/null || true; rm -rf "$work"' EXIT

mongosh --quiet "$uri" --eval "
const d = db.getSiblingDB('$db'); d.dropDatabase();
const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth',
  'Margaret Hamilton', 'Ken Thompson', 'Radia Perlman', 'John McCarthy', 'Frances Allen', 'Dennis Ritchie',
  'Leslie Lamport', 'Shafi Goldwasser', 'Tony Hoare', 'Niklaus Wirth', 'Adele Goldberg', 'Butler Lampson'];
const cities = ['London', 'New York', 'Manchester', 'Amsterdam', 'Boston', 'Stanford', 'Paris', 'Berkeley'];
const plans = ['free', 'pro', 'team'];
const base = Date.UTC(2024, 2, 4, 9, 30);
let seq = 0, docs = [];
const oid = (ms) => ObjectId(Math.floor(ms / 1000).toString(16).padStart(8, '0') + '5f1c2a' + (++seq).toString(16).padStart(10, '0'));
names.forEach((n, i) => {
  const [first, last] = n.split(' ');
  const email = (first[0] + last).toLowerCase() + '@example.com';
  const copies = i % 3 == 0 ? 3 : (i % 2 == 0 ? 2 : 1);
  for (let c = 0; c < copies; c++) {
    const at = base + i * 37 * 3600e3 + c * 26 * 3600e3;
    const doc = { _id: oid(at), email: email, name: n, plan: plans[(i + c) % 3],
      address: { city: cities[(i + c) % cities.length] }, createdAt: new Date(at), updatedAt: new Date(at + (c * 5 + 1) * 3600e3) };
    if (c != 1) doc.phone = '+44 20 7946 ' + String(100 + i).padStart(4, '0');
    if (c == 2) doc.tags = ['beta', 'newsletter'];
    docs.push(doc);
  }
});
for (let i = 0; i < 3; i++) {
  const at = base + (400 + i * 9) * 3600e3;
  docs.push({ _id: oid(at), name: ['Guest', 'Guest 2', 'test'][i], plan: 'free', createdAt: new Date(at), updatedAt: new Date(at) });
}
d.users.insertMany(docs);
" >/dev/null

go build -o "$work/dupes" .
"$work/dupes" plan --uri "$uri" --ns "$db.users" --key email --keep max:updatedAt --out "$work/plan.json" >/dev/null
# A second person's review often ends in a hand decision: the second group keeps its oldest member.
jq '.groups[1] |= (.delete as $d | .keep as $k | .keep = $d[0] | .delete = [$k] + $d[1:]
      | .keepFingerprint as $kf | .keepFingerprint = .deleteFingerprints[0] | .deleteFingerprints = [$kf] + .deleteFingerprints[1:]
      | .decision = "manual")' "$work/plan.json" >"$work/plan2.json"
"$work/dupes" report --uri "$uri" --plan "$work/plan2.json" --groups 6 --out "$work/report.html" >/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
  --screenshot="$out" --window-size=1280,2000 "file://$work/report.html" 2>/dev/null
echo "report-shot.sh: wrote $out"
