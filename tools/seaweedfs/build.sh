#!/usr/bin/env bash
# Builds SeaweedFS's weed command (the S3-compatible server sluice's tests run
# against) once per machine, into a cache folder outside the repository:
#   ${SLUICE_WEED:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice/weed}
# A cached binary built from the same go.mod/go.sum is reused: the build takes
# about 3.5 minutes on 2 cores (plus the module download on a new machine).
# Prints the binary's path on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${SLUICE_WEED:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice/weed}"
stamp="$out.version"
want="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -d' ' -f1)"

if [ -x "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "seaweedfs: using cached $out"
  echo "$out"
  exit 0
fi

echo "seaweedfs: building weed into $out (once per machine; a few minutes)"
mkdir -p "$(dirname "$out")"
start=$(date +%s)
(cd "$here" && go build -trimpath -ldflags='-s -w' -o "$out.tmp" github.com/seaweedfs/seaweedfs/weed)
mv "$out.tmp" "$out"
echo "$want" >"$stamp"
echo "seaweedfs: built in $(( $(date +%s) - start ))s"
echo "$out"
