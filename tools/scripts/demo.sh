#!/usr/bin/env bash
# Installs what is missing, then runs the demo (in-memory backend by default). Extra arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/bootstrap.sh
# The dashboard serves its built front end: build it first (cached by Nx after the first time).
if [[ " $* " == *" --dashboard"* ]]; then
  NX_DAEMON=false NX_TUI=false pnpm --silent exec nx run @floxide/dashboard:build-ui --outputStyle=static >/dev/null
fi
exec pnpm --silent --filter @floxide/demo run demo "$@"
