#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server:
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Installs PostgreSQL from Debian when it is missing, creates a cluster in a temporary folder,
# starts it on a free TCP port of 127.0.0.1 (trust authentication, no durability: it is thrown
# away), creates a database, exports
#
#   COSTWISE_TEST_POSTGRES_URL=postgresql://USER@127.0.0.1:PORT/costwise_test
#
# runs CMD, then always stops the server and deletes the folder. Exits with CMD's exit code.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (via
# runuser); otherwise as the current user. Works without a TTY (CI=true).
set -euo pipefail

readonly kPreferredVersion=15
readonly kDatabase=costwise_test
readonly kStartAttempts=5

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 2
}

if [[ $# -eq 0 ]]; then
  printf 'usage: %s CMD [ARGS...]\n' "$0" >&2
  exit 2
fi

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Prints the bin folder of the installed PostgreSQL server, preferring version 15.
find_bindir() {
  local dir
  if [[ -x "/usr/lib/postgresql/${kPreferredVersion}/bin/initdb" ]]; then
    printf '%s\n' "/usr/lib/postgresql/${kPreferredVersion}/bin"
    return 0
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [[ -x "${dir}/initdb" ]]; then
      printf '%s\n' "${dir}"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

install_postgres() {
  local -a sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 ||
      die "PostgreSQL is not installed and sudo is missing: install the 'postgresql' package"
    if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
  fi
  log "installing PostgreSQL (apt-get install postgresql)"
  local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q)
  if ! "${apt[@]}" install postgresql >&2; then
    "${apt[@]}" update >&2 || die "apt-get update failed"
    "${apt[@]}" install postgresql >&2 || die "apt-get install postgresql failed"
  fi
}

bindir="$(find_bindir || true)"
if [[ -z "${bindir}" ]] || { is_root && ! id -u postgres >/dev/null 2>&1; }; then
  install_postgres
  bindir="$(find_bindir || true)"
  [[ -n "${bindir}" ]] || die "no PostgreSQL server binaries found after installing"
fi

# The server's OS user, its database superuser name, and how to run its binaries.
if is_root; then
  id -u postgres >/dev/null 2>&1 || die "user 'postgres' is missing (reinstall 'postgresql')"
  pg_user=postgres
  as_server() { runuser -u postgres -- "$@"; }
else
  pg_user="$(id -un)"
  as_server() { "$@"; }
fi

make_tempdir() {
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/costwise-pg.XXXXXX")"
  if is_root; then
    chown postgres: "${dir}"
    # TMPDIR may be a folder the postgres user cannot enter (e.g. under /root).
    if ! runuser -u postgres -- test -w "${dir}"; then
      rmdir "${dir}"
      dir="$(mktemp -d /tmp/costwise-pg.XXXXXX)"
      chown postgres: "${dir}"
    fi
  fi
  printf '%s\n' "${dir}"
}

tempdir=""
datadir=""
server_started=0

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ "${server_started}" -eq 1 ]]; then
    if ! (cd "${tempdir}" && as_server "${bindir}/pg_ctl" -D "${datadir}" -m fast -w -t 30 \
      stop >/dev/null 2>&1); then
      local pid
      pid="$(head -n 1 "${datadir}/postmaster.pid" 2>/dev/null || true)"
      if [[ -n "${pid}" ]]; then kill -9 "${pid}" 2>/dev/null || true; fi
    fi
  fi
  if [[ -n "${tempdir}" && -d "${tempdir}" ]]; then rm -rf -- "${tempdir}"; fi
  exit "${rc}"
}
# The command runs in the background so that a signal to this script is handled at once: it is
# passed on to the command, then the server is stopped.
child=""
forward_signal() {
  local signal=$1 code=$2
  if [[ -n "${child}" ]]; then
    kill "-${signal}" "${child}" 2>/dev/null || true
    wait "${child}" 2>/dev/null || true
  fi
  exit "${code}"
}
trap cleanup EXIT
trap 'forward_signal HUP 129' HUP
trap 'forward_signal INT 130' INT
trap 'forward_signal TERM 143' TERM

port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Htln "sport = :${port}" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null
  fi
}

pick_port() {
  local port
  while true; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! port_in_use "${port}"; then
      printf '%s\n' "${port}"
      return 0
    fi
  done
}

tempdir="$(make_tempdir)"
datadir="${tempdir}/data"
logfile="${tempdir}/server.log"

(cd "${tempdir}" && as_server "${bindir}/initdb" -D "${datadir}" -U "${pg_user}" -A trust \
  -E UTF8 --no-locale --no-sync >"${tempdir}/initdb.log" 2>&1) || {
  cat "${tempdir}/initdb.log" >&2
  die "initdb failed"
}

port=""
for ((attempt = 1; attempt <= kStartAttempts; ++attempt)); do
  port="$(pick_port)"
  # Durability is off: the cluster is thrown away after the command.
  if (cd "${tempdir}" && as_server "${bindir}/pg_ctl" -D "${datadir}" -l "${logfile}" -w -t 60 \
    -o "-p ${port} -k ${tempdir} -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" start >/dev/null 2>&1); then
    server_started=1
    break
  fi
  log "could not start on port ${port} (attempt ${attempt} of ${kStartAttempts})"
done
if [[ "${server_started}" -ne 1 ]]; then
  cat "${logfile}" >&2 2>/dev/null || true
  die "the PostgreSQL server did not start"
fi

"${bindir}/createdb" -h 127.0.0.1 -p "${port}" -U "${pg_user}" "${kDatabase}" ||
  die "createdb failed"

export COSTWISE_TEST_POSTGRES_URL="postgresql://${pg_user}@127.0.0.1:${port}/${kDatabase}"
log "PostgreSQL $("${bindir}/postgres" --version | awk '{print $3}') at ${COSTWISE_TEST_POSTGRES_URL}"

# "<&0": a background command would otherwise get /dev/null as its standard input.
"$@" <&0 &
child=$!
set +e
wait "${child}"
rc=$?
set -e
child=""
exit "${rc}"
