#!/usr/bin/env bash
# Installs the pinned pnpm when it is missing, then the workspace's dependencies from the lockfile; with
# --with-browser also the OS's Chromium for the dashboard's browser tests (root only).
set -euo pipefail
cd "$(dirname "$0")/../.."
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "[bootstrap] installing pnpm $PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" --silent >/dev/null 2>&1 || npm install -g "pnpm@$PNPM_VERSION"
fi
if [ -n "${CI:-}" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --frozen-lockfile --reporter=silent
fi
# With --with-browser (the test scripts): the dashboard's browser tests drive the OS's Chromium, never a
# downloaded one. Install it when missing and we may (root, as in CI); the demo does not need it.
if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[bootstrap] installing chromium" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
