#!/usr/bin/env node
// The container's HEALTHCHECK (Dockerfile): GET /health of the service named by SERVICE, on its
// port (API_PORT, INGEST_PORT, LINKAGE_PORT, PROJECTOR_PORT, defaults 3000-3003). Exit 0 when it
// answers 200 (ready), 1 otherwise. No curl in node:20-slim, so Node's own fetch.
'use strict';
const PORTS = { api: ['API_PORT', 3000], ingest: ['INGEST_PORT', 3001], linkage: ['LINKAGE_PORT', 3002], projector: ['PROJECTOR_PORT', 3003] };
const service = process.env.SERVICE || 'api';
const entry = PORTS[service];
if (!entry) {
  process.stderr.write(`healthcheck: SERVICE=${JSON.stringify(service)} has no /health\n`);
  process.exit(1);
}
const port = Number(process.env[entry[0]] || entry[1]);
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) })
  .then((res) => process.exit(res.status === 200 ? 0 : 1))
  .catch(() => process.exit(1));
