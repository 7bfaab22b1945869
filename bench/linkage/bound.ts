/**
 * The oracle bound: the best recall at precision >= 0.999 that ANY rule deciding from the
 * comparison information the engine computes could reach on a generator's rows (oracle.ts).
 *
 *   node dist/bench/linkage/bound.js [--generator g2|uk2] [--layout ons|nrs] [--seed 42] [--fit-seed 43] [--patients N] [--rows N]
 *     [--dir DIR] [--model FILE] [--precision 0.999] [--target 0.98] [--fit-floors 0.9993,0.9995,0.9997]
 *
 * Each valid row is ranked as `followup link` ranks it (the same index, blocking and scoring),
 * and its chosen candidate (the best deterministic match, else the best scored one) put in a
 * cell by what a rule could know of it, at two grains:
 * - `levels`: the six fields' levels, the family name's term-frequency weight when it agrees
 *   exactly (binned to 0.5 bit: the only weight that is not one per level), how many
 *   deterministic matches the row has (0, 1, more), and whether the death predates the
 *   candidate's randomisation (the truth wants those reviewed, and the engine knows it);
 * - `full`: that, and whether the candidate holds another valid number, the record's kind, and
 *   the runner-up's distance (bits, binned).
 * The generator's truth says whether linking the row to that candidate is right. The bound is
 * in-sample (the truth of these very rows picks the cells), so it is optimistic: a cell seen
 * once is pure. The second figure is honest: the rule is fitted (same greedy, whole cells) on
 * another seed's data of the same size, and applied to these rows; and fitted to stricter floors
 * (`--fit-floors`), since a rule fitted to the floor exactly lands either side of it elsewhere.
 * Data sets are those of bench.ts (same cache directories; generated when missing).
 */
import { existsSync, readFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LinkageModel,
  PreparedRecord,
  RankingSink,
  Scored,
  byEvidenceThenId,
  compileModel,
  defaultModel,
  enrichModule,
  fieldNames,
  fieldWeight,
  parseModel,
  RecordForLinkage,
  PLACEHOLDER_DECISION,
} from '@trial/linkage';
import { readRegistryThreaded } from '@trial/registry';
import { loadCohortCounted } from '../../apps/cli/src/commands/link';
import { generate, generatorVersion } from './generate';
import { generateUk2, uk2Defaults, uk2ExtractedOn, uk2Version } from './generate-uk2';
import { parseTruth } from './score';
import { Cell, applyRule, byPurity, fittedRule, oracleBound, precisionAtRecall } from './oracle';
import { arg } from './args';

interface Ranked {
  line: number;
  patientId: string;
  levels: string;
  full: string;
  /** The chosen candidate's match weight under the model's own λ (bits). */
  weight: number;
}

function chosenOf(scored: readonly Scored[], deterministic: readonly Scored[]): Scored | undefined {
  return deterministic.length > 0 ? [...deterministic].sort(byEvidenceThenId)[0] : scored[0];
}

const gapBin = (gap: number | null): string =>
  gap === null ? 'alone' : gap < 1 ? '<1' : gap < 3 ? '<3' : gap < 6 ? '<6' : gap < 10 ? '<10' : '>=10';

/** Each distinct cell key once (a million rows share a few thousand keys). */
const interned = new Map<string, string>();
const intern = (s: string): string => {
  const k = interned.get(s);
  if (k !== undefined) return k;
  interned.set(s, s);
  return s;
};

/** Every valid row with a candidate, ranked as `followup link` ranks it, with its cells at both grains. */
async function rank(dir: string, extractedOn: string, model: LinkageModel): Promise<Ranked[]> {
  const { index } = await loadCohortCounted(join(dir, 'cohort.csv'));
  const cm = compileModel(model);
  const out: Ranked[] = [];
  let current: PreparedRecord | null = null;
  let line = 0;
  const sink: RankingSink = (scored, deterministic) => {
    const r = current as PreparedRecord;
    const c = chosenOf(scored, deterministic);
    if (c === undefined) return PLACEHOLDER_DECISION;
    const cmp = c.comparison;
    const tf = cmp.familyName === 'exact' ? ` tf ${(Math.round(2 * fieldWeight(cmp, 'familyName', cm, r.familyKey)) / 2).toFixed(1)}` : '';
    // A death dated before the candidate's randomisation: the engine reviews it and the truth
    // says review (match-review), so a rule must be able to tell it.
    const before =
      (r.kind === 'death' || r.kind === 'death-cancelled') &&
      r.dateOfDeath !== null &&
      c.patient.randomisedOn !== null &&
      r.dateOfDeath < c.patient.randomisedOn;
    const levels = `${fieldNames.map((f) => `${f}=${cmp[f]}`).join(' ')}${tf} deterministic=${Math.min(deterministic.length, 2)}${before ? ' before-randomisation' : ''}`;
    const runnerUp = scored.find((s) => s.patientId !== c.patientId);
    const full = `${levels}${c.otherNumber ? ' other-number' : ''} ${r.kind} runner-up=${gapBin(runnerUp ? c.evidence - runnerUp.evidence : null)}`;
    out.push({ line, patientId: c.patientId, levels: intern(levels), full: intern(full), weight: c.evidence + cm.priorWeight });
    return PLACEHOLDER_DECISION;
  };
  const input = createReadStream(join(dir, 'extract.csv'), { highWaterMark: 64 * 1024 });
  for await (const batch of readRegistryThreaded(input, { extractedOn, batchSize: 500, enrich: enrichModule })) {
    for (const result of batch.rows) {
      if (!result.ok) continue;
      const { prepared, keys } = result.extra as RecordForLinkage;
      current = prepared;
      line = result.line;
      // maxCandidates 2: the best two exactly (no pruning), which is all the cells read.
      index.decidePrepared(prepared, keys, model, { maxCandidates: 2, ranked: sink });
    }
  }
  return out;
}

function cellsOf(rows: readonly Ranked[], grain: 'levels' | 'full', rightOf: (r: Ranked) => boolean): Cell[] {
  const cells = new Map<string, Cell>();
  for (const r of rows) {
    const key = r[grain];
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { key, right: 0, wrong: 0 }));
    if (rightOf(r)) c.right++;
    else c.wrong++;
  }
  return [...cells.values()];
}

interface Scoring {
  dir: string;
  matches: number;
  ranked: Ranked[];
  right: (r: Ranked) => boolean;
}

/** A data set of bench.ts (the same cache directory), generated when missing, ranked and scored against its truth. */
async function scoring(
  generator: 'g2' | 'uk2',
  layout: 'ons' | 'nrs',
  seed: number,
  patients: number,
  rows: number,
  given: string,
  model: LinkageModel,
): Promise<Scoring> {
  const version = generator === 'g2' ? `g${generatorVersion}` : `uk2v${uk2Version}`;
  const dir = given || join(tmpdir(), `trial-followup-linkage-${version}-${layout}-${seed}-${patients}-${rows}`);
  if (!existsSync(join(dir, 'truth.csv'))) {
    process.stdout.write(`generating ${generator} ${layout.toUpperCase()}: ${patients} patients and ${rows} rows (seed ${seed}) in ${dir}\n`);
    if (generator === 'g2') generate({ seed, patients, rows, layout, outDir: dir });
    else generateUk2({ seed, patients, rows, layout, outDir: dir });
  }
  const truth = parseTruth(readFileSync(join(dir, 'truth.csv'), 'utf8'));
  const ranked = await rank(dir, generator === 'g2' ? '2011-10-02' : uk2ExtractedOn, model);
  const matches = truth.expectedOf.filter((e) => e === 'match').length;
  return { dir, matches, ranked, right: (r) => truth.expectedOf[r.line] === 'match' && truth.patientOf[r.line] === r.patientId };
}

async function main(): Promise<void> {
  const generator = arg('generator', 'g2');
  if (generator !== 'g2' && generator !== 'uk2') throw new Error('--generator must be g2 or uk2');
  const layout = arg('layout', 'ons');
  if (layout !== 'ons' && layout !== 'nrs') throw new Error('--layout must be ons or nrs');
  const seed = Number(arg('seed', '42'));
  const fitSeed = Number(arg('fit-seed', String(seed + 1)));
  const patients = Number(arg('patients', String(generator === 'g2' ? 100_000 : uk2Defaults.patients)));
  const rows = Number(arg('rows', String(generator === 'g2' ? 1_000_000 : uk2Defaults.rows)));
  const minPrecision = Number(arg('precision', '0.999'));
  const target = Number(arg('target', '0.98'));
  const fitFloors = arg('fit-floors', '0.9993,0.9995,0.9997')
    .split(',')
    .map(Number)
    .filter((f) => f > minPrecision && f < 1);
  const modelPath = arg('model', '');
  let model = defaultModel;
  if (modelPath) {
    const parsed = parseModel(readFileSync(modelPath, 'utf8'));
    if (!parsed.ok) throw new Error(`model ${modelPath} is invalid: ${parsed.reason}`);
    model = parsed.model;
  }
  const test = await scoring(generator, layout, seed, patients, rows, arg('dir', ''), model);
  const fit = await scoring(generator, layout, fitSeed, patients, rows, '', model);
  const x = (v: number | null): string => (v === null ? 'none' : v.toFixed(4));
  const reachable = test.ranked.filter(test.right).length;
  const lines = [
    `oracle bound [${generator} ${layout.toUpperCase()}]: ${patients} patients, ${test.ranked.length} rows with a candidate, ${test.dir}, model ${model.version}`,
    `matches ${test.matches}; chosen candidate is the right patient for ${reachable} (${x(reachable / test.matches)}: no rule linking the chosen one does better)`,
  ];
  const report: Record<string, unknown> = {
    bench: 'linkage-bound',
    generator,
    layout,
    seed,
    fitSeed,
    dir: test.dir,
    model: model.version,
    matches: test.matches,
    reachable,
  };
  for (const grain of ['levels', 'full'] as const) {
    const cells = cellsOf(test.ranked, grain, test.right);
    const b = oracleBound(cells, test.matches, minPrecision);
    const p = precisionAtRecall(cells, test.matches, target);
    const fitCells = cellsOf(fit.ranked, grain, fit.right);
    const rule = fittedRule(fitCells, minPrecision);
    const a = applyRule(rule, cells, test.matches);
    lines.push(
      `[${grain}] ${cells.length} cells`,
      `  in-sample bound: best recall at precision >= ${minPrecision}: ${x(b.recall)} (${b.right.toFixed(1)} right, ${b.wrong.toFixed(1)} wrong); ` +
        `best precision at recall ${target}: ${x(p)}`,
      `  rule fitted on seed ${fitSeed} (cells purest first while precision >= ${minPrecision} there), applied here: recall ${x(a.recall)}, ` +
        `precision ${x(a.precision)} (${a.right} right, ${a.wrong} wrong)`,
      // A rule fitted to the floor exactly falls either side of it on other rows: fitted to a
      // stricter floor, what it keeps of recall.
      ...fitFloors.map((floor) => {
        const m = applyRule(fittedRule(fitCells, floor), cells, test.matches);
        return `    fitted to precision >= ${floor} there: recall ${x(m.recall)}, precision ${x(m.precision)} (${m.right} right, ${m.wrong} wrong)`;
      }),
      '  largest cells the bound leaves out (right / wrong):',
      ...byPurity(cells)
        .slice(b.cellsWhole)
        .sort((c, d) => d.right - c.right)
        .slice(0, 6)
        .map((c) => `    ${c.right} / ${c.wrong}  ${c.key}`),
    );
    // Where the fitted rule and the engine's link threshold part (probabilistic cells; weights under the model's λ).
    const weightOf = new Map<string, number>();
    for (const r of test.ranked) if (!weightOf.has(r[grain])) weightOf.set(r[grain], r.weight);
    const below = cells
      .filter((c) => rule.has(c.key) && c.key.includes('deterministic=0') && (weightOf.get(c.key) as number) < model.thresholds.link)
      .sort((c, d) => d.right - c.right);
    lines.push(
      `  cells the fitted rule links below the link threshold (${model.thresholds.link} bits, under the model's own λ): ${below.length}, ` +
        `${below.reduce((n, c) => n + c.right, 0)} right / ${below.reduce((n, c) => n + c.wrong, 0)} wrong here; the largest (right / wrong, weight):`,
      ...below.slice(0, 6).map((c) => `    ${c.right} / ${c.wrong}, ${(weightOf.get(c.key) as number).toFixed(1)}  ${c.key}`),
    );
    report[grain] = { cells: cells.length, recall: b.recall, right: b.right, wrong: b.wrong, precisionAtTarget: p, fitted: a };
  }
  lines.push(JSON.stringify(report), '');
  process.stdout.write(lines.join('\n'));
}

main().catch((e: unknown) => {
  process.stderr.write(`bound: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
