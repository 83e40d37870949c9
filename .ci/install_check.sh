#!/usr/bin/env bash
# The Dockerfile's install steps in a clean virtual environment (CI has no Docker engine): build a
# wheel, install it alone, compile the catalogs into the installed package, and start the result
# from outside the source tree on a fresh data folder, as the image's CMD and HEALTHCHECK would.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true  # the server ends by SIGTERM: not the check's status
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$work/wheels" "$source_dir"
"$work/venv/bin/pip" install --quiet "$work"/wheels/*.whl
cd "$work"  # outside the source tree: only the installed package may answer from here on
locale_dir=$("$work/venv/bin/python" -c 'import buurtnet.web as w, os; print(os.path.dirname(w.__file__))')/locale
"$work/venv/bin/pybabel" compile --statistics --domain messages --directory "$locale_dir"
test -f "$locale_dir/nl/LC_MESSAGES/messages.mo"

port=$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env -u BUURTNET_DATABASE_URL BUURTNET_DATA_DIR="$work/data" \
  "$work/venv/bin/buurtnet" serve --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server_pid=$!

"$work/venv/bin/python" - "$port" <<'PY' || { cat "$work/serve.log"; exit 1; }
import sys, time, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            if response.status == 200:
                break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the installed buurtnet did not answer /healthz within 60 s")
        time.sleep(0.5)
with urllib.request.urlopen(base + "/login", timeout=5) as response:
    page = response.read().decode()
assert 'lang="nl"' in page, "the log-in page is not in Dutch"
assert "Inloggen" in page, "the Dutch catalog is missing from the installed package"
print("The installed package serves", base, "with the Dutch catalog.")
PY
