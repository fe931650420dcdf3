# Sourced by scripts/run and scripts/test: make the virtualenv and install pinned requirements.
# Installs again only when a requirements file changed, so a second start is quick.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

bootstrap() {
  local requirements="$1"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: Python 3.11 or newer is needed as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
    exit 2
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating the virtualenv in $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(basename "$requirements")"
  local digest
  digest="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "==> installing $(basename "$requirements") (pinned versions)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements"
    echo "$digest" > "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  cd "$ROOT"
}

# Install the Debian packages the caller found missing, when we may (root with apt-get); otherwise say what is
# missing and what will not work without it ($1). Called with the reason first, then the package names.
debian_packages() {
  local without="$1"
  shift
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing $* (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "note: $* not installed: $without" >&2
  fi
}
