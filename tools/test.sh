#!/usr/bin/env bash
# Runs the whole test suite (or the given test paths) and ends with the plain counts line
# `N passed, N failed, N skipped` that CI reads. Exit status is deno test's.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NO_COLOR=1
unset RUST_BACKTRACE
export PATH="$PWD/tools/deno/node_modules/.bin:$PATH"
export JUPYTER_PATH="$PWD/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
[ $# -eq 0 ] && set -- test/
deno test -A "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary="$(grep -E '^(ok|FAILED) \| ' "$log" | tail -n 1)"
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed, 0 skipped"
  exit $(( status == 0 ? 1 : status ))
fi
echo "$summary" | awk -F' [|] ' '{p=0;f=0;s=0; for(i=2;i<=NF;i++){split($i,a," "); if(a[2]=="passed")p=a[1]; if(a[2]=="failed")f=a[1]; if(a[2]=="ignored")s=a[1]} print p " passed, " f " failed, " s " skipped"}'
exit "$status"
