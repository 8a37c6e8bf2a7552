#!/usr/bin/env bash
# scripts/demo.sh [OUT.gif]   renders demo.tape into OUT.gif (default: demo.gif in the repo root)
#
# Installs the recorder if it is missing (vhs, ttyd, chromium, ffmpeg, from ../shared/clients;
# DUPES_SHARED overrides), builds dupes first and puts it first on PATH, so the tape runs this
# tree's dupes and records no build; then checks that OUT.gif is a GIF of plausible size and
# length, and prints where it is. Exits non-zero if any step fails, a Wait of the tape included.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

out=${1:-$repo/demo.gif}
case $out in /*) ;; *) out=$PWD/$out ;; esac
[ "${out%.gif}" != "$out" ] || { echo "demo.sh: the output must end in .gif (got $out)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"

say() { printf 'demo.sh: %s\n' "$*" >&2; }
start=$SECONDS

# --- the recorder ----------------------------------------------------------------------------
prefix=${CLIENTS_PREFIX:-/opt/dupes-clients/bin}
export PATH="$prefix:$PATH"
missing=()
for tool in vhs ttyd chromium ffmpeg ffprobe; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  shared=${DUPES_SHARED:-$repo/../shared}
  if [ ! -f "$shared/clients/install.sh" ]; then
    say "missing ${missing[*]}, and no $shared/clients/install.sh to install them (set DUPES_SHARED)"
    exit 1
  fi
  say "installing the recorder (missing: ${missing[*]})"
  bash "$shared/clients/install.sh" vhs >/dev/null
fi
# The tape's size in columns and rows assumes this font (fontconfig brings it on Debian).
if command -v fc-list >/dev/null 2>&1 && ! fc-list | grep -q 'DejaVu Sans Mono'; then
  say "warning: no DejaVu Sans Mono (apt-get install fonts-dejavu-core): the frames will have other columns"
fi
# chromium refuses to start as root without its sandbox switched off.
[ "$(id -u)" != 0 ] || export VHS_NO_SANDBOX=true

# --- dupes, built before the recording -------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/dupes-demo.XXXXXX")
vhs_pid=
cleanup() {
  # vhs leaves its ttyd (and chromium) behind when it fails: end its process group, only that.
  if [ -n "$vhs_pid" ]; then kill -- -"$vhs_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
say "building dupes"
go build -o "$work/bin/dupes" .
export PATH="$work/bin:$PATH"

# --- the recording -----------------------------------------------------------------------------
# Into the work folder first, so a failed render never leaves a half GIF at OUT.
say "recording demo.tape (1.5 to 2 minutes)"
rec=$SECONDS
setsid vhs -q -o "$work/demo.gif" demo.tape </dev/null >"$work/vhs.log" 2>&1 &
vhs_pid=$!
if ! wait "$vhs_pid"; then
  sed 's/^/  | /' "$work/vhs.log" >&2
  say "vhs failed (a Wait of the tape that timed out names the screen it expected)"
  exit 1
fi
kill -- -"$vhs_pid" 2>/dev/null || true
vhs_pid=
rec=$((SECONDS - rec))

# --- plausible? ----------------------------------------------------------------------------------
gif=$work/demo.gif
if [ "$(head -c 6 "$gif" 2>/dev/null)" != GIF89a ]; then
  say "vhs made no GIF at $gif"
  exit 1
fi
size=$(stat -c %s "$gif")
IFS=x read -r width height < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$gif")
want_w=$(awk '$1 == "Set" && $2 == "Width" { print $3 }' demo.tape)
want_h=$(awk '$1 == "Set" && $2 == "Height" { print $3 }' demo.tape)
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$gif")
# The tape plays about 40 s (its sleeps, the typing, the demo's run); vhs drops frames on a busy
# machine and the GIF then plays shorter, so accept from 20 s.
if [ "$size" -lt 100000 ] || [ "$size" -gt 8000000 ] || [ "${width:-0}" != "$want_w" ] || [ "${height:-0}" != "$want_h" ] ||
  ! awk -v d="$duration" 'BEGIN { exit !(d >= 20 && d <= 90) }'; then
  say "the GIF is implausible: $size bytes, ${width}x${height}, ${duration}s (want 0.1-8 MB, ${want_w}x${want_h}, 20-90 s)"
  exit 1
fi
mv "$gif" "$out"
say "recorded in ${rec}s (all: $((SECONDS - start))s): $size bytes, ${width}x${height}, ${duration}s"
echo "$out"
