#!/usr/bin/env bash
# `npm test`: everything a fresh machine needs, then every suite. Safe to run again: set-up steps
# that are already done cost seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
timed() {
	local name=$1; shift
	local started=$SECONDS
	"$@"
	printf '%s took %ss\n' "$name" $((SECONDS - started)) | tee -a .cache/timings.txt
}

mkdir -p .cache
: > .cache/timings.txt

bash scripts/ensure-deps.sh

step "type check"
timed "typecheck" npm run --silent typecheck

step "vision addon (llama.cpp mtmd, cmake + g++; skipped when up to date)"
timed "vision addon" node scripts/build-vision.mjs
timed "peer addon" node scripts/build-peer.mjs
timed "placement addon" node scripts/build-placement.mjs

step "llama-server (the remote engine's tests and the bench; cmake + g++; skipped when up to date)"
timed "llama tools" node scripts/build-llama-tools.mjs

step "build"
timed "build" node esbuild.mjs --tests

step "test models"
timed "test models" node out/test/models/generate.mjs

run_suite() {
	local name=$1; shift
	step "suite: $name"
	timed "suite $name" npx mocha --reporter spec "$@" 2>&1 | tee ".cache/suite-$name.log"
}
rm -f .cache/suite-*.log

run_suite standalone 'out/test/standalone/**/*.test.mjs'
run_suite vocabulary 'out/test/vocab/**/*.test.mjs'
# llama.cpp's log goes to one native logger per process, which every Llama created takes over: the
# suites that read llama.cpp's own log (experts placed in RAM, the logger surviving a second Llama)
# run in a process of their own, where no earlier suite's Llama competes for it.
own_log=(out/test/runtime/expertPlacement.test.mjs out/test/runtime/llamaLog.test.mjs)
run_suite runtime 'out/test/runtime/**/*.test.mjs' "${own_log[@]/#/--ignore=}"
run_suite runtime-llama-log "${own_log[@]}"
run_suite integration 'out/test/integration/**/*.test.mjs'
run_suite packaging 'out/test/packaging/**/*.test.mjs'
step "e2e set-up (real VS Code: code-server, Node 24, Chromium)"
timed "e2e set-up" bash test/e2e/setup.sh >/dev/null
# Playwright and vsce write temporary files: keep them in the e2e cache, not loose in /tmp.
mkdir -p .cache/e2e/tmp
TMPDIR="$PWD/.cache/e2e/tmp" run_suite e2e 'out/test/e2e/*.test.mjs'

step "timings"
cat .cache/timings.txt
# One closing line over every suite (each failing suite has already stopped the run).
awk '/^ *[0-9]+ passing/ { passed += $1 } /^ *[0-9]+ failing/ { failed += $1 } END { printf "%d passed, %d failed\n", passed, failed }' .cache/suite-*.log
