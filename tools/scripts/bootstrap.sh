#!/usr/bin/env bash
# Installs the pinned pnpm when it is missing, then the workspace's dependencies from the lockfile.
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
