#!/usr/bin/env bash
# Installs the project's npm packages when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cmp -s package-lock.json node_modules/.bora-installed-lock 2>/dev/null; then
	printf '\n== npm ci\n'
	npm ci --no-audit --no-fund
	cp package-lock.json node_modules/.bora-installed-lock
fi
