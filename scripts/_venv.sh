# Sourced by the scripts: a virtual environment in .venv (or $VENV_DIR) with the pinned requirements installed.
# Reinstalls only when a requirements file changed since the last install.

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local requirements=("$@")
  local python stamp wanted venv="${VENV_DIR:-.venv}"
  python=$(find_python)
  if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
  fi
  stamp=$venv/.requirements.sha256
  wanted=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing pinned requirements into $venv ..." >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    local args=()
    for file in "${requirements[@]}"; do args+=(-r "$file"); done
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}" >&2
    echo "$wanted" > "$stamp"
  fi
  export PATH="$PWD/$venv/bin:$PATH"
}
