import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { read, root, SERVICES } from './compose-file';

// The Dockerfile checked as text (no Docker engine and no hadolint package on the machine that
// wrote it; Debian has no hadolint): the rules we rely on, each named.
type Instruction = { op: string; args: string };
type Stage = { name: string; from: string; body: Instruction[] };

/** Instructions, continuation lines joined, comments and parser directives dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

function stages(all: Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const i of all) {
    if (i.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
      out.push({ from: m?.[1] ?? i.args, name: m?.[2] ?? String(out.length), body: [] });
    } else out[out.length - 1]?.body.push(i);
  }
  return out;
}

const all = instructions(read('Dockerfile'));
const [build, runtime, ...more] = stages(all);
const runs = (s: Stage) => s.body.filter((i) => i.op === 'RUN').map((i) => i.args);
const last = (s: Stage, op: string) => s.body.filter((i) => i.op === op).pop();

describe('Dockerfile', () => {
  it('has two stages: a build with the dev dependencies, a runtime from the same slim Node image', () => {
    expect(more).toEqual([]);
    expect([build.name, runtime.name]).toEqual(['build', 'runtime']);
    const arg = all.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20[\w.-]*-slim$/);
    expect([build.from, runtime.from]).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    expect(runs(build).some((r) => /npm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
    expect(runs(build)).toContain('npm run build');
  });

  it('installs production dependencies only in the runtime, without install scripts', () => {
    const ci = runs(runtime).filter((r) => /npm (ci|install)\b/.test(r));
    expect(ci).toHaveLength(1);
    expect(ci[0]).toMatch(/npm ci --omit=dev --ignore-scripts/);
    const fromBuild = runtime.body.filter((i) => i.op === 'COPY' && i.args.includes('--from=build')).map((i) => i.args);
    expect(fromBuild).toEqual(['--from=build /app/dist ./dist']);
  });

  it('runs as a user that is not root', () => {
    const user = last(runtime, 'USER');
    expect(user?.args).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    // Nothing after USER needs root.
    const after = runtime.body.slice(runtime.body.indexOf(user as Instruction) + 1).map((i) => i.op);
    expect(after.filter((op) => op === 'RUN' || op === 'USER')).toEqual([]);
  });

  it('has a HEALTHCHECK calling /health, and exec-form entry point for the one image of four services', () => {
    const hc = last(runtime, 'HEALTHCHECK');
    expect(hc?.args).toMatch(/--interval=\S+ .*--timeout=\S+ .*CMD \["node", "bin\/healthcheck\.js"\]/);
    expect(last(runtime, 'ENTRYPOINT')?.args).toBe('["node", "bin/service.js"]');
    const entry = read('bin/service.js');
    const apps = readdirSync(join(root, 'apps')).filter((a) => a !== 'cli' && existsSync(join(root, 'apps', a, 'src', 'main.ts')));
    expect(apps.sort()).toEqual([...SERVICES]);
    expect(entry).toContain(`const SERVICES = [${SERVICES.map((s) => `'${s}'`).join(', ')}]`);
    expect(entry).toMatch(/'dist', 'apps', name, 'src', 'main\.js'/);
  });

  it('pins its bases, fetches nothing with ADD, and copies only files that exist and are not ignored', () => {
    expect(all.filter((i) => i.op === 'ADD')).toEqual([]);
    expect(all.filter((i) => i.op === 'FROM').every((i) => !/:latest\b/.test(i.args))).toBe(true);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const must of ['node_modules', 'dist', '.infra', '.git', '.env']) expect(ignored).toContain(must);
    const copied = all.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const src of copied) {
      expect([src, existsSync(join(root, src))]).toEqual([src, true]);
      expect([src, ignored.includes(src)]).toEqual([src, false]);
    }
  });
});
