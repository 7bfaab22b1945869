import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The places that name the libraries agree with libs/: nest-cli.json lists every one, and
// tsconfig.json's paths (which jest.config.js and test/support/run-ts.js map from) name each.
const root = join(__dirname, '../..');
const folders = (dir: string) =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
const libraries = folders('libs');
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

  it("the README's layout names each folder of libs/ and apps/", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('The layout ('), readme.indexOf('## The two commands'));
    const named = (dir: string) => folders(dir).filter((f) => !layout.includes(`\`${dir}/${f}\``));
    expect(layout.length).toBeGreaterThan(0);
    expect([...named('libs'), ...named('apps')]).toEqual([]);
  });
});
