/**
 * The shell that installs devdb-agent in the workspace before `devdb-agent start`
 * (docs/deploy.md, "The agent from your DevDB server"): from DEVDB_AGENT_URL
 * (images with node: the bundle) or DEVDB_AGENT_SEA_URL (images without: the
 * single executable), both served by DevDB's control plane by default
 * (GET /api/v1/agent/current/{node,linux-x64}). Each start asks the server for
 * the file's sha256 (URL/sha256, or DEVDB_AGENT_SHA256 / DEVDB_AGENT_SEA_SHA256
 * when the admin pins one), downloads only when the installed file differs, and
 * installs a download only when its sha256 is that one: a mismatch is refused
 * with a message and fails the script. When the server cannot be asked, an
 * agent already installed is kept (it waits for DevDB with back-off itself).
 *
 * Plain POSIX sh; written with `${` here, escaped for Terraform by the template.
 */
export const AGENT_INSTALL_SCRIPT = [
  'devdb_agent_sha256() {',
  '  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d " " -f 1',
  '  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d " " -f 1',
  '  else echo "devdb-agent: this image has neither sha256sum nor shasum: cannot check the download" >&2; return 1',
  '  fi',
  '}',
  'devdb_agent_install() {',
  '  url=$1 want=${2:-} dest="$HOME/.local/bin/devdb-agent"',
  '  mkdir -p "$HOME/.local/bin"',
  '  if [ -z "$want" ]; then',
  '    if ! want=$(curl -fsSL "$url/sha256"); then',
  '      if [ -x "$dest" ]; then echo "devdb-agent: cannot fetch $url/sha256: keeping the devdb-agent installed" >&2; return 0; fi',
  '      echo "devdb-agent: cannot fetch $url/sha256: is DevDB\'s control plane reachable from the workspace (devdb up --api-listen)?" >&2',
  '      return 1',
  '    fi',
  '    want=${want%% *}',
  '  fi',
  '  case $want in',
  '    *[!0-9a-f]* | "") echo "devdb-agent: $url/sha256 did not answer a sha256 (got: $want)" >&2; return 1 ;;',
  '  esac',
  '  if [ -x "$dest" ] && [ "$(devdb_agent_sha256 "$dest")" = "$want" ]; then return 0; fi',
  '  if ! curl -fsSL "$url" -o "$dest.part"; then rm -f "$dest.part"; echo "devdb-agent: cannot download $url" >&2; return 1; fi',
  '  got=$(devdb_agent_sha256 "$dest.part")',
  '  if [ "$got" != "$want" ]; then',
  '    rm -f "$dest.part"',
  '    echo "devdb-agent: refused the download from $url: its sha256 is $got, expected $want; nothing installed" >&2',
  '    return 1',
  '  fi',
  '  chmod +x "$dest.part" && mv "$dest.part" "$dest"',
  '}',
  'if command -v node >/dev/null 2>&1; then',
  '  if [ -n "${DEVDB_AGENT_URL:-}" ]; then devdb_agent_install "$DEVDB_AGENT_URL" "${DEVDB_AGENT_SHA256:-}"; fi',
  'elif [ -n "${DEVDB_AGENT_SEA_URL:-}" ]; then',
  '  devdb_agent_install "$DEVDB_AGENT_SEA_URL" "${DEVDB_AGENT_SEA_SHA256:-}"',
  'fi',
].join('\n');

/**
 * The same for a Terraform string: `${` is written `$${` (not an interpolation).
 * split/join, not replaceAll: in a replacement string `$$` would be one `$`.
 */
export const AGENT_INSTALL_TERRAFORM = AGENT_INSTALL_SCRIPT.split('${').join('$${');
