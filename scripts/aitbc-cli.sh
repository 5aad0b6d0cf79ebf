#!/usr/bin/env bash
# The seed's thin wrapper around the `aitbc` command line (docs/cli.md):
#
#   ./scripts/aitbc-cli.sh submit inference --prompt "What is machine learning?" --model llama3.2:latest
#   ./scripts/aitbc-cli.sh status <job_id>
#
# AITBC_URL defaults to the local coordinator (http://127.0.0.1:18000). The key comes from
# AITBC_API_KEY or the seed's CLIENT_KEY, or else from the dev keys `npm start` keeps in .aitbc/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AITBC_URL="${AITBC_URL:-http://127.0.0.1:18000}"
export AITBC_DATA_DIR="${AITBC_DATA_DIR:-$root/.aitbc}"
exec node "$root/bin/aitbc.js" "$@"
