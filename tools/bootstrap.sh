#!/usr/bin/env bash
# Installs what routebench needs, idempotently, and says what it is doing:
#   - Deno, pinned in tools/deno/package.json, into tools/deno with npm (not `npm ci`: the registry
#     lacks other platforms' binaries that a lockfile would demand);
#   - the npm packages of deno.json's imports (`deno install`, cached in DENO_DIR);
#   - with --test-deps: Debian's Jupyter (nbconvert, nbclient) and promtool, used by the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
want_test_deps=0
[ "${1:-}" = "--test-deps" ] && want_test_deps=1

say() { printf 'routebench: %s\n' "$*" >&2; }

pinned="$(sed -n 's/.*"deno": *"\([0-9.]*\)".*/\1/p' tools/deno/package.json | head -n 1)"
deno_bin="$root/tools/deno/node_modules/.bin/deno"
installed=""
[ -x "$deno_bin" ] && installed="$("$deno_bin" --version 2>/dev/null | head -n 1 | awk '{print $2}')"
if [ "$installed" != "$pinned" ]; then
  say "installing Deno $pinned into tools/deno (npm install, ~100 MB, once)"
  npm install --prefix tools/deno --no-audit --no-fund --loglevel=error >&2
fi
export PATH="$root/tools/deno/node_modules/.bin:$PATH"

stamp="node_modules/.routebench-installed"
if [ ! -f "$stamp" ] || [ deno.lock -nt "$stamp" ] || [ deno.json -nt "$stamp" ]; then
  say "installing npm packages from deno.json (deno install, once)"
  NO_COLOR=1 deno install >&2
  touch "$stamp"
fi

if [ "$want_test_deps" = 1 ]; then
  packages=()
  command -v jupyter-nbconvert >/dev/null 2>&1 ||
    packages+=(jupyter-nbconvert python3-nbclient jupyter-client jupyter-core)
  command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
  if [ ${#packages[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
    say "installing Debian packages for the tests: ${packages[*]} (apt-get, once)"
    if "${sudo[@]}" apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null; then
      say "Debian packages installed"
    else
      say "could not install ${packages[*]}: notebook and promtool tests will be skipped"
    fi
  fi
fi
