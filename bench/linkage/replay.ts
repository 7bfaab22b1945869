/**
 * A measurement (issue 11, recall on g2; README "Modelling the household and namesake
 * dependence"): replays decision policies over one ranking of a data set, under the λ
 * `followup link` estimates. Not part of `bench:linkage`; nothing here decides in production.
 *
 *   node dist/bench/linkage/replay.js [--generator g2|uk2] [--layout ons|nrs] [--seed 42] [--dir DIR]
 *
 * Each valid row is ranked once as `followup link` ranks it (its best candidates and every
 * deterministic match, from `decidePrepared`'s ranking sink); the rows some policy could link
 * or review are cached in the data set's directory (`replay-cache.jsonl`; delete it after a
 * change to the engine). Policies, crossed: the link threshold, or a chance-constrained cut
 * (P(false links > 0.1% of links) <= alpha by the model's posteriors); a joint level for
 * "family name, given names and date of birth exact, sex not differing" whose u is estimated
 * from the data at hand (pairs labelled by their valid numbers, no truth); the household rule
 * without a number (1: family name and date of birth exact; 2: family name agreeing at any
 * level; both: full postcode, given names other, no number agreeing: review). The truth is read
 * only to score the policies. joint=1 takes the namesake count as it is, joint=2 its 95% upper bound;
 * the chance-constrained cut is also crossed with the one-death rule. The unchanged policy
 * (joint=0 household=0 T=12) reproduces bench.js.
 */
import { existsSync, readFileSync, createReadStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Comparison,
  PreparedRecord,
  RankingSink,
  Scored,
  byEvidenceThenId,
  compileModel,
  defaultModel,
  enrichModule,
  estimatePrior,
  emptyCounts,
  fieldWeight,
  holdsRegistryNumber,
  RecordForLinkage,
  PLACEHOLDER_DECISION,
} from '@trial/linkage';
import { readRegistryThreaded } from '@trial/registry';
import { conflictUnresolved, householdUnconfirmed } from '../../libs/linkage/src/conclude';
import { loadCohortCounted } from '../../apps/cli/src/commands/link';
import { generate, generatorVersion } from './generate';
import { generateUk2, uk2Defaults, uk2ExtractedOn, uk2Version } from './generate-uk2';
import { parseTruth } from './score';
import { arg } from './args';
import gammainc from '@stdlib/math-base-special-gammainc';

interface Cand {
  patientId: string;
  evidence: number;
  c: Comparison;
  otherNumber: boolean;
  before: boolean;
  /** Weights of family name, given names, date of birth and sex as the model adds them. */
  fgds: number;
}
interface Row {
  line: number;
  det: number;
  detId: string | null;
  detBefore: boolean;
  top: Cand[];
}

const isJoint = (c: Comparison): boolean => c.familyName === 'exact' && c.givenNames === 'exact' && c.dateOfBirth === 'exact' && c.sex !== 'differ';

async function main(): Promise<void> {
  const generator = arg('generator', 'g2');
  const layout = arg('layout', 'ons') as 'ons' | 'nrs';
  const seed = Number(arg('seed', '42'));
  const patients = Number(arg('patients', String(generator === 'g2' ? 100_000 : uk2Defaults.patients)));
  const rowsN = Number(arg('rows', String(generator === 'g2' ? 1_000_000 : uk2Defaults.rows)));
  const version = generator === 'g2' ? `g${generatorVersion}` : `uk2v${uk2Version}`;
  const dir = arg('dir', '') || join(tmpdir(), `trial-followup-linkage-${version}-${layout}-${seed}-${patients}-${rowsN}`);
  if (!existsSync(join(dir, 'truth.csv'))) {
    if (generator === 'g2') generate({ seed, patients, rows: rowsN, layout, outDir: dir });
    else generateUk2({ seed, patients, rows: rowsN, layout, outDir: dir });
  }
  const model = defaultModel;
  const cm0 = compileModel(model);
  const { index, withNumber } = await loadCohortCounted(join(dir, 'cohort.csv'));
  const source = layout === 'ons' ? 'ONS' : 'NRS';
  const counts = { ...emptyCounts(), patients: index.patientCount, patientsWithNumber: withNumber[source] };
  // Labelled pairs (no truth): both sides hold a valid number of the registry's kind.
  let jDiff = 0; // numbers differ, joint pattern
  let jDiffPc = 0; // and the full postcode agrees (mostly matches with another valid number)
  let nSame = 0; // numbers equal
  let jSame = 0; // numbers equal, joint pattern
  const rows: Row[] = [];
  let current: PreparedRecord | null = null;
  let line = 0;
  const cand = (r: PreparedRecord, s: Scored): Cand => ({
    patientId: s.patientId,
    evidence: s.evidence,
    c: s.comparison,
    otherNumber: s.otherNumber,
    before:
      (r.kind === 'death' || r.kind === 'death-cancelled') &&
      r.dateOfDeath !== null &&
      s.patient.randomisedOn !== null &&
      r.dateOfDeath < s.patient.randomisedOn,
    fgds:
      fieldWeight(s.comparison, 'familyName', cm0, r.familyKey) +
      fieldWeight(s.comparison, 'givenNames', cm0, r.familyKey) +
      fieldWeight(s.comparison, 'dateOfBirth', cm0, r.familyKey) +
      fieldWeight(s.comparison, 'sex', cm0, r.familyKey),
  });
  const sink: RankingSink = (scored, deterministic) => {
    const r = current as PreparedRecord;
    const labelled = holdsRegistryNumber(r, source);
    if (labelled) {
      const seen = new Set<string>();
      for (const s of [...scored, ...deterministic]) {
        if (seen.has(s.patientId) || !holdsRegistryNumber(s.patient, source)) continue;
        seen.add(s.patientId);
        const same = source === 'ONS' ? s.patient.nhs === r.nhs : s.patient.chi === r.chi;
        const j = isJoint(s.comparison);
        if (same) {
          nSame++;
          if (j) jSame++;
        } else if (j) {
          jDiff++;
          if (s.comparison.postcode === 'full') jDiffPc++;
        }
      }
    }
    const dets = [...deterministic].sort(byEvidenceThenId);
    const top = scored.slice(0, 2).map((s) => cand(r, s));
    if (top.length === 0 && dets.length === 0) return PLACEHOLDER_DECISION;
    const d0 = dets[0] === undefined ? null : cand(r, dets[0]);
    rows.push({ line, det: dets.length, detId: d0?.patientId ?? null, detBefore: d0?.before ?? false, top });
    return PLACEHOLDER_DECISION;
  };
  const cachePath = join(dir, 'replay-cache.jsonl');
  const cached = existsSync(cachePath);
  if (cached) {
    const [head, ...lines] = readFileSync(cachePath, 'utf8').split('\n');
    const c = JSON.parse(head) as { counts: typeof counts; j: number[] };
    for (const l of lines) rows.push(JSON.parse(l) as Row);
    Object.assign(counts, c.counts);
    [jDiff, jDiffPc, nSame, jSame] = c.j;
  }
  const input = createReadStream(join(dir, 'extract.csv'), { highWaterMark: 64 * 1024 });
  if (!cached)
    for await (const batch of readRegistryThreaded(input, {
      extractedOn: generator === 'g2' ? '2011-10-02' : uk2ExtractedOn,
      batchSize: 500,
      enrich: enrichModule,
    })) {
      for (const result of batch.rows) {
        if (!result.ok) continue;
        const { prepared, keys } = result.extra as RecordForLinkage;
        counts.records++;
        const judged = holdsRegistryNumber(prepared, source);
        if (judged) counts.recordsWithNumber++;
        current = prepared;
        line = result.line;
        const before = rows.length;
        index.decidePrepared(prepared, keys, model, { maxCandidates: 6, ranked: sink });
        if (judged && rows.length > before && rows[rows.length - 1].det > 0) counts.deterministic++;
      }
    }
  const est = estimatePrior(counts, model.prior);
  if (!cached) {
    // Only rows some policy could link or review: a deterministic match, or a best candidate at
    // or above the review threshold (the joint level only lowers weights; the household rule only
    // reviews). One JSON line a row: a million rows are more than one string can hold.
    const kept = rows.filter((r) => r.det > 0 || r.top[0].evidence + est.weight >= model.thresholds.review);
    rows.length = 0;
    rows.push(...kept);
    const lines = [
      JSON.stringify({ counts, j: [jDiff, jDiffPc, nSame, jSame] }),
      ...kept.map((r) => JSON.stringify(r.det > 0 ? { ...r, top: [] } : r)),
    ];
    writeFileSync(cachePath, lines.join('\n'));
  }
  const pw = est.weight;
  const judgedPairs = counts.recordsWithNumber * counts.patientsWithNumber;
  const f = model.fields;
  const mPcFull = f.postcode.full.m;
  const namesakes = Math.max(0.5, jDiff - jDiffPc / mPcFull);
  const uJoint = namesakes / judgedPairs;
  // A conservative u: the 95% upper bound of the namesake count read as a Poisson count (the
  // Gamma(n + 1) quantile), so that a rate resting on a handful of pairs errs toward more namesakes.
  const gammaUpper = (shape: number, q: number): number => {
    let lo = 0;
    let hi = shape + 20 * Math.sqrt(shape) + 20;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (gammainc(mid, shape) < q) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const uJointUpper = gammaUpper(namesakes + 1, 0.95) / judgedPairs;
  const mJointData = jSame / nSame;
  const mJointModel = f.familyName.exact.m * f.givenNames.exact.m * f.dateOfBirth.exact.m * f.sex.same.m;
  const uInd = f.givenNames.exact.u * f.dateOfBirth.exact.u * f.sex.same.u;
  const truth = parseTruth(readFileSync(join(dir, 'truth.csv'), 'utf8'));
  const matches = truth.expectedOf.filter((e) => e === 'match').length;
  const out: string[] = [
    `replay ${generator} ${layout} seed ${seed}: ${dir}`,
    `prior ${est.prior.toExponential(3)} (${pw} bits); rows with a candidate ${rows.length}; matches ${matches}`,
    `labelled pairs: judged ${judgedPairs.toExponential(3)}; equal numbers ${nSame} (joint ${jSame}, m ${mJointData.toFixed(4)}; model product ${mJointModel.toFixed(4)}); ` +
      `differing numbers with the joint pattern ${jDiff} (full postcode ${jDiffPc}) -> namesakes ${namesakes.toFixed(1)}, u ${uJoint.toExponential(3)} ` +
      `(independence, non-tf surname: ${(f.familyName.exact.u * uInd).toExponential(3)}); joint weight ${Math.log2(mJointData / Math.max(uJoint, f.familyName.exact.u * uInd)).toFixed(2)} ` +
      `against ${Math.log2((f.familyName.exact.m * f.givenNames.exact.m * f.dateOfBirth.exact.m * f.sex.same.m) / (f.familyName.exact.u * uInd)).toFixed(2)}`,
  ];
  out.push(`joint u upper (95%): ${uJointUpper.toExponential(3)}`);
  const jointW = (fam: number, joint: number): number => {
    // fam: the model's exact family weight for this name (tf or field); its u = m_fe / 2^fam.
    const uFam = f.familyName.exact.m / 2 ** fam;
    return Math.log2(mJointData / Math.max(joint === 2 ? uJointUpper : uJoint, uFam * uInd));
  };
  const famOf = (c: Cand): number =>
    c.fgds -
    Math.log2(f.givenNames.exact.m / f.givenNames.exact.u) -
    Math.log2(f.dateOfBirth.exact.m / f.dateOfBirth.exact.u) -
    cm0.weights.sex[c.c.sex];
  const evid = (c: Cand, joint: number): number => (joint > 0 && isJoint(c.c) ? c.evidence - c.fgds + jointW(famOf(c), joint) : c.evidence);
  // 2: the shipped rule (conclude.ts householdUnconfirmed); 1: the narrower one the README records
  // as tried first (family name and date of birth exact as well).
  const household = (c: Comparison, hh: number): boolean =>
    (hh === 1 || hh === 2) && householdUnconfirmed({ comparison: c }) && (hh === 2 || (c.familyName === 'exact' && c.dateOfBirth === 'exact'));
  interface Out {
    dec: 'linked' | 'review' | 'unlinked';
    right: boolean;
    prob: boolean;
    w: number;
    kind: string;
    line: number;
    patientId: string | null;
  }
  // A person dies once: the record id and type of each line, to find two registrations of death
  // linked to one patient (the first cell is the record id, the third the type, in both layouts).
  const extractLines = readFileSync(join(dir, 'extract.csv'), 'utf8').split('\n');
  const cellsOf = (line: number): string[] => (extractLines[line - 1] ?? '').split(',');
  const decideAll = (joint: number, hh: number, T: number): Out[] =>
    rows.map((r) => {
      if (r.det > 0) {
        const right = truth.expectedOf[r.line] === 'match' && truth.patientOf[r.line] === r.detId;
        return {
          dec: r.det === 1 && !r.detBefore ? 'linked' : 'review',
          right,
          prob: false,
          w: Infinity,
          kind: 'det',
          line: r.line,
          patientId: r.detId,
        };
      }
      const top = [...r.top].sort((a, b) => evid(b, joint) - evid(a, joint));
      const c = top[0];
      const right = truth.expectedOf[r.line] === 'match' && truth.patientOf[r.line] === c.patientId;
      const w = evid(c, joint) + pw;
      let dec: Out['dec'];
      if (w >= T) {
        const s = top[1];
        if (s !== undefined && evid(s, joint) + pw >= w - model.thresholds.closeMargin) dec = 'review';
        else if (conflictUnresolved({ otherNumber: c.otherNumber, comparison: c.c })) dec = 'review';
        else if (household(c.c, hh)) dec = 'review';
        else dec = c.before ? 'review' : 'linked';
      } else dec = w >= model.thresholds.review ? 'review' : 'unlinked';
      const kind = `${c.c.identifier}/${c.c.dateOfBirth}/${c.c.sex}/${c.c.familyName}/${c.c.givenNames}/${c.c.postcode} ${truth.expectedOf[r.line]} w${w.toFixed(1)}`;
      return { dec, right, prob: true, w, kind, line: r.line, patientId: c.patientId };
    });
  const report = (label: string, os: Out[], cut: number, extra = '', oneDeath = false): void => {
    const deathsOf = new Map<string, Set<string>>();
    if (oneDeath)
      for (const o of os) {
        if (o.dec !== 'linked' || (o.prob && o.w < cut) || o.patientId === null) continue;
        const [id, , type] = cellsOf(o.line);
        if (type !== 'D') continue;
        let set = deathsOf.get(o.patientId);
        if (!set) deathsOf.set(o.patientId, (set = new Set()));
        set.add(id);
      }
    let linked = 0;
    let right = 0;
    let review = 0;
    const wrongKinds = new Map<string, number>();
    for (const o of os) {
      const twoDeaths = oneDeath && o.prob && o.patientId !== null && (deathsOf.get(o.patientId)?.size ?? 0) > 1;
      const dec = o.prob && o.dec === 'linked' && (o.w < cut || twoDeaths) ? 'review' : o.dec;
      if (dec === 'linked') {
        linked++;
        if (o.right) right++;
        else wrongKinds.set(o.kind, (wrongKinds.get(o.kind) ?? 0) + 1);
      } else if (dec === 'review') review++;
    }
    out.push(
      `${label}: linked ${linked}, right ${right}, wrong ${linked - right}, precision ${(right / linked).toFixed(4)}, recall ${(right / matches).toFixed(4)}, review ${review}${extra}` +
        (linked - right > 0 && linked - right <= 12 ? `  [${[...wrongKinds.entries()].map(([k, n]) => `${n}x ${k}`).join('; ')}]` : ''),
    );
  };
  // P(N > k), N ~ Poisson(mu).
  const poissonAbove = (mu: number, k: number): number => {
    let term = Math.exp(-mu);
    let cdf = term;
    for (let i = 1; i <= k; i++) {
      term *= mu / i;
      cdf += term;
    }
    return Math.max(0, 1 - cdf);
  };
  for (const joint of [0, 1, 2])
    for (const hh of [0, 1, 2]) {
      for (const T of [12, 11, 10, 9, 8, 7.5, 7, 6.5, 6, 5.5, 5, 4.5, 4, 3]) {
        const os = decideAll(joint, hh, T);
        report(`joint=${joint} household=${hh} T=${T}`, os, T);
        report(`joint=${joint} household=${hh} T=${T} one-death`, os, T, '', true);
      }
      // Chance-constrained: link the probabilistic rows of highest weight while, by the model's
      // own posteriors, P(false links > 0.1% of all links) <= alpha.
      const os = decideAll(joint, hh, 0);
      const det = os.filter((o) => !o.prob && o.dec === 'linked').length;
      const ws = os
        .filter((o) => o.prob && o.dec === 'linked')
        .map((o) => o.w)
        .sort((a, b) => b - a);
      for (const alpha of [0.05, 0.5]) {
        let mu = 0;
        let best = 0;
        for (let k = 1; k <= ws.length; k++) {
          mu += 1 / (1 + 2 ** ws[k - 1]);
          if (poissonAbove(mu, Math.floor(0.001 * (det + k))) <= alpha) best = k;
        }
        const cut = best === 0 ? Infinity : ws[best - 1];
        report(`joint=${joint} household=${hh} cc alpha=${alpha}`, os, cut, ` (cut ${cut.toFixed(2)} bits)`);
        report(`joint=${joint} household=${hh} cc alpha=${alpha} one-death`, os, cut, ` (cut ${cut.toFixed(2)} bits)`, true);
      }
    }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`replay: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
