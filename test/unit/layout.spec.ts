import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The places that name the libraries agree with libs/: nest-cli.json lists every one, and
// tsconfig.json's paths (which jest.config.js and test/support/run-ts.js map from) name each.
const root = join(__dirname, '../..');
const libraries = readdirSync(join(root, 'libs'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, Record<string, unknown>>;

describe('layout: every library named where libraries are named', () => {
  it('nest-cli.json lists each library of libs/', () => {
    const projects = Object.values(json('nest-cli.json').projects) as Array<{ type: string; root: string }>;
    expect(
      projects
        .filter((p) => p.type === 'library')
        .map((p) => p.root)
        .sort(),
    ).toEqual(libraries.map((l) => `libs/${l}`));
  });

  it('tsconfig.json maps @trial/<name> to each library (jest.config.js maps what it maps)', () => {
    const paths = json('tsconfig.json').compilerOptions.paths as Record<string, string[]>;
    expect(
      Object.entries(paths)
        .map(([k, [v]]) => [k, v])
        .sort(),
    ).toEqual(libraries.map((l) => [`@trial/${l}`, `libs/${l}/src`]));
  });
});
