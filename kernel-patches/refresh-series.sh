#!/bin/bash
# refresh-series.sh DEVTREE
#
# Regenerates linux-6.12/*.patch and series from a development git tree of
# linux-source-6.12 whose tag `base` is the unmodified Debian source and
# whose commits on top are the series. The cover letter's subject and text
# come from linux-6.12/cover.txt, so they survive regeneration.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:?usage: refresh-series.sh DEVTREE}
out=$here/linux-6.12
git -C "$tree" rev-parse -q --verify base >/dev/null || { echo "no tag 'base' in $tree" >&2; exit 1; }
rm -f "$out"/*.patch
git -C "$tree" format-patch -q --cover-letter --no-signature -o "$out" base..HEAD
cover=$out/0000-cover-letter.patch
subject=$(sed -n 's/^Subject: //p' "$out/cover.txt")
awk -v subj="$subject" -v body="$out/cover.txt" '
  /^Subject: / { print "Subject: " subj; next }
  /^\*\*\* BLURB HERE \*\*\*/ {
    while ((getline line < body) > 0) if (line !~ /^Subject: /) print line
    next
  }
  { print }' "$cover" >"$cover.new" && mv "$cover.new" "$cover"
{
  echo "# Applied in order by ../build-kernel.sh (patch -p1) on Debian linux-source-6.12"
  echo "# 6.12.117-1~deb12u1. Regenerate with ../refresh-series.sh DEVTREE."
  (cd "$out" && ls 0*.patch | grep -v '^0000-')
} >"$out/series"
(cd "$tree" && scripts/checkpatch.pl --strict -q -g base..HEAD) && echo "checkpatch --strict: clean"
