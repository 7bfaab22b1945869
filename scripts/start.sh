#!/usr/bin/env bash
# `npm start`: brings up Kafka and Postgres, compiles, and runs the demo pipeline until Ctrl-C.
# It installs nothing: run `npm ci` once first (see README).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -d node_modules ]] || { echo "node_modules is missing: run 'npm ci' first" >&2; exit 1; }
bash scripts/infra.sh up
set -a; source .infra/pg.env; set +a
npm run --silent build
exec node bin/followup.js demo "$@"
