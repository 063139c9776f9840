# Sourced by the benchmark scripts in bench/*/ (after `set -euo pipefail`), with the script's own
# arguments: `source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" "$@"`. Sets HERE (the script's
# folder), ROOT (the repository), PYTHON (default Debian's /usr/bin/python3) and SHARED (the
# shared data, default ../shared/data beside the repository, exported as
# COSTWISE_SHARED_DATA_DIR), and answers -h/--help with the script's header comment.
HERE="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[1]}"; exit 0 ;;
esac
PYTHON="${PYTHON:-/usr/bin/python3}"
SHARED="${COSTWISE_SHARED_DATA_DIR:-$(dirname "$ROOT")/shared/data}"
export COSTWISE_SHARED_DATA_DIR="$SHARED"
