#!/usr/bin/env node
// The `followup` command: runs the compiled CLI (built by `npm install` via the prepare script).
//
// Node flags for `followup link` and `followup train`: they hold the whole cohort (~2.4 KB of
// heap a patient) and stream the extract past it. With V8's default heap growth, promoted
// garbage piles up to about four times the live set before a full collection (1.1 GB peak
// linking 100,000 patients, 1.5 GB training on them). So they run in a child node with the old
// space capped at 640 MB, or more for a bigger cohort (60x the cohort file, so a cap never makes
// a large cohort fail). A cap set in NODE_OPTIONS or on the node command line is left alone.
//
// `followup replay` folds the whole log in one thread, and nearly everything it allocates dies
// young only if the young generation holds a batch's worth: with 64 MB semi-spaces instead of
// V8's default, a replay of 1,000,000 events takes 13-18% less CPU (bench:replay, README).
'use strict';
const { statSync } = require('node:fs');

function nodeFlags(args) {
  if (process.env.FOLLOWUP_NODE_FLAGS === 'set') return null;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS || '').split(/\s+/)];
  if (args[0] === 'replay') return given.some((a) => a.startsWith('--max-semi-space-size')) ? null : ['--max-semi-space-size=64'];
  if (args[0] !== 'link' && args[0] !== 'train') return null;
  if (given.some((a) => a.startsWith('--max-old-space-size'))) return null;
  let cohortBytes = 0;
  const i = args.findIndex((a) => a === '--cohort' || a.startsWith('--cohort='));
  const path = i < 0 ? null : args[i].startsWith('--cohort=') ? args[i].slice('--cohort='.length) : args[i + 1];
  try {
    if (path) cohortBytes = statSync(path).size;
  } catch {
    // The command reports an unreadable cohort itself.
  }
  const mb = Math.max(640, Math.ceil((cohortBytes * 60) / 2 ** 20));
  return [`--max-old-space-size=${mb}`];
}

const flags = nodeFlags(process.argv.slice(2));
if (flags === null) {
  require('../dist/apps/cli/src/main.js');
} else {
  const { spawnSync } = require('node:child_process');
  const child = spawnSync(process.execPath, [...process.execArgv, ...flags, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, FOLLOWUP_NODE_FLAGS: 'set' },
  });
  if (child.error) throw child.error;
  if (child.signal) process.kill(process.pid, child.signal);
  process.exitCode = child.status === null ? 1 : child.status;
}
