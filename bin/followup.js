#!/usr/bin/env node
// The `followup` command: runs the compiled CLI (built by `npm install` via the prepare script).
require('../dist/apps/cli/src/main.js');
