/**
 * Seed search for the demo trial: `node dist/demo/search-seed.js FROM TO` prints every seed in
 * [FROM, TO) whose ground truth meets each target of issue 6 within 70% of its tolerance (the
 * headroom covers any gap between this package's statistics and R's), best last.
 */
import { distance, misses, readout } from './targets';
import { buildWorld, World } from './world';

/** The trial of one seed, or null where no patient fits one of the special cases. */
function tryBuild(seed: number): World | null {
  try {
    return buildWorld(seed, { haystack: false });
  } catch {
    return null;
  }
}

function search(from: number, to: number): void {
  const hits: Array<{ seed: number; d: number }> = [];
  for (let seed = from; seed < to; seed++) {
    const world = tryBuild(seed);
    if (!world) continue;
    const sites = new Set(world.patients.map((p) => p.site)).size;
    const r = readout(world.outcomes);
    if (sites !== 17 || r.deathsIABP !== 42 || r.deathsControl !== 58) continue;
    if (misses(r, 0.7).length === 0) {
      const d = distance(r);
      hits.push({ seed, d });
      process.stdout.write(
        `seed ${seed} distance ${d.toFixed(3)} ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(4))])))}\n`,
      );
    }
  }
  hits.sort((a, b) => b.d - a.d);
  process.stdout.write(`${hits.length} seeds; best: ${hits.length ? hits[hits.length - 1].seed : 'none'}\n`);
}

const [from, to] = process.argv.slice(2).map(Number);
search(from || 1, to || 1000);
