# Install the Debian packages the project needs, only when missing. Sourced by .ci/run.
# pango: WeasyPrint's text layout; poppler-utils: pdftoppm for looking at report pages;
# harfbuzz-subset: WeasyPrint's font subsetting; chromium: the browser tests (Playwright drives Debian's build, it cannot download its own).
ensure_system_packages() {
  local missing=()
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # npm: the OpenAPI linters of `make lint` (Spectral, Redocly; pinned in tests/api-lint).
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  # java: the W3C Nu Html Checker (vnu.jar, pinned in tests/checkers) that validates every page type.
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  ldconfig -p | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  # WeasyPrint warns (an error under the suite's -W error) without HarfBuzz's font subsetter.
  ldconfig -p | grep -q libharfbuzz-subset || missing+=(libharfbuzz-subset0)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== Installing system packages: ${missing[*]} =="
    local sudo=""
    [ "$(id -u)" = "0" ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
