#!/usr/bin/env bash
# Rebuild awareprint/data/profiles/FOGRA39L-coated.icc, the default CMYK output profile (PDF/X OutputIntent).
# Input: Fogra's FOGRA39L characterisation data (coated offset paper, ISO 12647-2), shipped by Debian's
# icc-profiles-free under the Zlib licence. Tool: ArgyllCMS colprof (AGPL; run, not linked or shipped).
#   apt-get install argyll icc-profiles-free && bash tools/build_profile.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/../awareprint/data/profiles" && pwd)"
work="$(mktemp -d)"
cp /usr/share/color/icc/FOGRA39L.ti3 "$work/"
(cd "$work" && colprof -qm -kr -l300 -L95 \
  -D "FOGRA39L coated (built from Fogra characterisation data)" \
  -C "Built with ArgyllCMS colprof from FOGRA39L.ti3 (Fogra; Zlib licence, icc-profiles-free)" FOGRA39L)
cp "$work/FOGRA39L.icc" "$here/FOGRA39L-coated.icc"
rm -rf "$work"
