# Sourced by scripts/test: the Debian packages some tests drive, installed when missing and possible.
#   chromium        the headless browser of tests/test_browser.py (driven by Playwright)
#   docker-compose  validates docker-compose.yml in tests/test_container_files.py (no engine needed)
#   pgbouncer       the connection pooler the end-to-end tests also run through (tests/support/pg_clusters.py)
#   nodejs, npm     run the Node tools of tests/test_generated_clients.py and the seed's Node examples
#                   (the npm packages themselves are installed by those tests, see tests/node_packages.py)
# Where they cannot be installed (not root, no apt-get, no network), those tests are skipped and say why.

ensure_debian_tools() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
  command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Not installing ${missing[*]} (needs root and apt-get); the tests that use them will be skipped." >&2
    return 0
  fi
  echo "Installing ${missing[*]} with apt-get for the browser, compose, Node and pgbouncer tests ..." >&2
  apt-get update -qq >/dev/null 2>&1 || true
  local package
  for package in "${missing[@]}"; do
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null 2>&1 ||
      echo "apt-get could not install $package; the tests that use it will be skipped." >&2
  done
}
