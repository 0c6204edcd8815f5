#!/usr/bin/env bash
# Installs what is missing, then runs the demo (in-memory backend by default). Extra arguments pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/bootstrap.sh
exec pnpm --silent --filter @floxide/demo run demo "$@"
