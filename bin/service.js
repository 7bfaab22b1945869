#!/usr/bin/env node
// The container's entry point (Dockerfile): one image, the service chosen by the first argument
// or else SERVICE. `api`, `ingest`, `linkage` and `projector` start that service; `migrate` runs
// the migrations once (`followup migrate`); `followup ...` is the command line.
'use strict';
const { join } = require('node:path');

const SERVICES = ['api', 'ingest', 'linkage', 'projector'];
const [asked, ...rest] = process.argv.slice(2);
const name = asked || process.env.SERVICE || 'api';

function cli(args) {
  const followup = join(__dirname, 'followup.js');
  process.argv = [process.argv[0], followup, ...args];
  require(followup);
}

if (SERVICES.includes(name)) {
  // The health check (bin/healthcheck.js) probes the port of SERVICE.
  process.env.SERVICE = name;
  require(join(__dirname, '..', 'dist', 'apps', name, 'src', 'main.js'));
} else if (name === 'migrate') {
  cli(['migrate', ...rest]);
} else if (name === 'followup') {
  cli(rest);
} else {
  process.stderr.write(`service: unknown ${JSON.stringify(name)}; one of ${[...SERVICES, 'migrate', 'followup'].join(', ')}\n`);
  process.exit(2);
}
