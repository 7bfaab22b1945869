// Runs a TypeScript entry point from source in a child process, compiled the way jest compiles
// it (@swc/jest's settings: legacy decorators with metadata, which Nest's injection needs) and
// with the @trial/* paths of jest.config.js: `node test/support/run-ts.js apps/ingest/src/main.ts`.
// For suites that must kill a real service process; no build, so it never reads a stale dist/.
const Module = require('node:module');
const path = require('node:path');
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');

const root = path.join(__dirname, '..', '..');
// tsconfig.json's paths, as jest.config.js maps them (exact names: every path names one library).
const libs = new Map(Object.entries(require('../../tsconfig.json').compilerOptions.paths).map(([name, [target]]) => [name, path.join(root, target)]));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, libs.get(request) ?? request, ...rest);
};
addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      sourceMaps: 'inline',
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'commonjs' },
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);

const entry = process.argv[2];
process.argv.splice(2, 1);
require(path.resolve(root, entry));
