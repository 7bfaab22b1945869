// Agreement of the competing-risks read-out (`--cause K`) with R survival 3.5 and cmprsk 2.2 on
// R's own data sets (pbc with transplant competing, pbc by edema: three groups, mgus2:
// progression vs death, many ties) and a hand-made case (ties between causes and with
// censorings, three causes, a censoring at 0), plus 28 random small data sets (seeded in the
// R script), within the contract's tolerances: cif and at
// to 1e-9 relative; Gray, cause-specific Cox and Fine-Gray to 1e-6 relative; times and counts
// exactly. Expected values and the R calls that produced them: competing-reference.ts
// (regenerate with `Rscript libs/survival/test/competing-reference.R`).
// SHOW_DEVIATIONS=1 prints the largest relative deviation from R per kind of figure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { competingRisks, CompetingGroupData, Ties } from '../src';
import { arr, Mismatches } from './helpers';
import { competingCases, randomCompetingCases } from './competing-reference';

const CIF_TOL = 1e-9;
const MODEL_TOL = 1e-6;

/** Read a cr-*.csv fixture (time,status,arm) into per-group times and codes. */
export function loadCompeting(name: string): Map<string, CompetingGroupData> {
  const text = readFileSync(join(__dirname, 'fixtures', `cr-${name}.csv`), 'utf8');
  const groups = new Map<string, { times: number[]; codes: number[] }>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [t, s, g] = line.split(',');
    const entry = groups.get(g) ?? { times: [], codes: [] };
    entry.times.push(Number(t));
    entry.codes.push(Number(s));
    groups.set(g, entry);
  }
  return groups;
}

const worst = new Map<string, number>();
class Tracked extends Mismatches {
  constructor(private readonly kind: (path: string) => string) {
    super();
  }
  override close(path: string, actual: number | null | undefined, expected: number | null | undefined, tol: number): void {
    super.close(path, actual, expected, tol);
    if (typeof actual === 'number' && typeof expected === 'number') {
      const scale = Math.max(Math.abs(actual), Math.abs(expected));
      // Both at rounding noise around a true 0 (a variance where F_K reaches 1): not a deviation.
      const rel = scale < 1e-12 ? 0 : Math.abs(actual - expected) / scale;
      const key = this.kind(path);
      worst.set(key, Math.max(worst.get(key) ?? 0, rel));
    }
  }
}

afterAll(() => {
  if (process.env.SHOW_DEVIATIONS) console.log([...worst].map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('\n'));
});

type Col = Record<string, unknown>;
const col = (c: unknown, f: string): Array<number | null> => arr((c as Col)[f] as number | number[] | null);

describe('competing risks: agreement with R survival and cmprsk', () => {
  const named = competingCases.map((c, i) => [`${c.name} #${i} cause ${c.options.cause} ${c.options.ties} ${c.options.confLevel}`, c] as const);
  test.each(named)('%s', (_label, rc) => {
    const at = arr(rc.options.at as number | number[] | null);
    const { cause, confLevel } = rc.options;
    const out = competingRisks(loadCompeting(rc.name), { cause, ties: rc.options.ties as Ties, at, confLevel });
    const m = new Tracked((p) => p.replace(/\[[^\]]*\]/g, ''));
    m.exact('cause', out.cause, rc.options.cause);
    m.exact('causes', out.causes.join(','), arr(rc.causes as unknown as number[]).join(','));
    m.exact('groups.length', out.groups.length, rc.groups.length);
    rc.groups.forEach((rg, gi) => {
      const g = out.groups[gi];
      const p = `groups[${rg.group}]`;
      m.exact(`${p}.group`, g.group, rg.group);
      m.exact(`${p}.events`, g.events, rg.events);
      const times = col(rg.cif, 'time');
      m.exact(`${p}.cif.length`, g.cif.length, times.length);
      times.forEach((t, i) => {
        const row = g.cif[i];
        if (!row) return;
        const q = `${p}.cif[${i}]`;
        m.exact(`${q}.time`, row.time, t);
        m.exact(`${q}.nRisk`, row.nRisk, col(rg.cif, 'nRisk')[i]);
        m.exact(`${q}.nEvent`, row.nEvent, col(rg.cif, 'nEvent')[i]);
        for (const f of ['estimate', 'stdErr', 'lower', 'upper'] as const) m.close(`${q}.${f}`, row[f], col(rg.cif, f)[i], CIF_TOL);
      });
      const rat = (rg as { at?: unknown }).at;
      m.exact(`${p}.at.length`, g.at.length, rat === undefined ? 0 : col(rat, 'time').length);
      if (rat !== undefined) {
        col(rat, 'time').forEach((t, i) => {
          const row = g.at[i];
          m.exact(`${p}.at[${i}].time`, row.time, t);
          for (const f of ['estimate', 'stdErr', 'lower', 'upper'] as const) m.close(`${p}.at[${i}].${f}`, row[f], col(rat, f)[i], CIF_TOL);
        });
      }
    });
    m.close('gray.chiSquare', out.gray?.chiSquare, rc.gray.chiSquare, MODEL_TOL);
    m.exact('gray.df', out.gray?.df, rc.gray.df);
    m.close('gray.pValue', out.gray?.pValue, rc.gray.pValue, MODEL_TOL);

    const cs = out.causeSpecificCox;
    const rcs = rc.causeSpecificCox;
    m.exact('causeSpecificCox.reference', cs?.reference, rcs.reference);
    m.exact('causeSpecificCox.ties', cs?.ties, rcs.ties);
    const labels = arr(rcs.terms.group as string | string[]);
    m.exact('causeSpecificCox.terms.length', cs?.terms.length, labels.length);
    labels.forEach((label, i) => {
      m.exact(`causeSpecificCox.terms[${i}].group`, cs?.terms[i]?.group, label);
      for (const f of ['coef', 'stdErr', 'hazardRatio', 'lower', 'upper', 'z', 'pValue'] as const) {
        m.close(`causeSpecificCox.terms[${label}].${f}`, cs?.terms[i]?.[f], col(rcs.terms, f)[i], MODEL_TOL);
      }
    });
    for (const test of ['likelihoodRatio', 'wald', 'score'] as const) {
      m.close(`causeSpecificCox.${test}.chiSquare`, cs?.[test].chiSquare, rcs[test].chiSquare, MODEL_TOL);
      m.exact(`causeSpecificCox.${test}.df`, cs?.[test].df, rcs[test].df);
      m.close(`causeSpecificCox.${test}.pValue`, cs?.[test].pValue, rcs[test].pValue, MODEL_TOL);
    }

    const fg = out.fineGray;
    m.exact('fineGray.reference', fg?.reference, rc.fineGray.reference);
    m.exact('fineGray.terms.length', fg?.terms.length, labels.length);
    labels.forEach((label, i) => {
      m.exact(`fineGray.terms[${i}].group`, fg?.terms[i]?.group, label);
      for (const f of ['coef', 'stdErr', 'hazardRatio', 'lower', 'upper', 'z', 'pValue'] as const) {
        m.close(`fineGray.terms[${label}].${f}`, fg?.terms[i]?.[f], col(rc.fineGray.terms, f)[i], MODEL_TOL);
      }
    });
    expect(m.list).toEqual([]);
  });
});

describe('competing risks: agreement with R on random small data sets (ties, times from 0, 2-3 groups and causes)', () => {
  test.each(randomCompetingCases.map((c) => [c.name, c] as const))('%s', (_name, rc) => {
    const data = rc.data as unknown as { time: number[]; status: number[]; arm: string[] };
    const groups = new Map<string, { times: number[]; codes: number[] }>();
    data.time.forEach((t, i) => {
      const g = groups.get(data.arm[i]) ?? { times: [], codes: [] };
      g.times.push(t);
      g.codes.push(data.status[i]);
      groups.set(data.arm[i], g);
    });
    const out = competingRisks(groups, { cause: rc.cause, ties: rc.ties as Ties, at: arr(rc.at as unknown as number[]) });
    const m = new Tracked((p) => `random.${p.replace(/\[[^\]]*\]/g, '')}`);
    rc.groups.forEach((rg, gi) => {
      const g = out.groups[gi];
      m.exact(`groups[${gi}].group`, g.group, rg.group);
      const times = col(rg.cif, 'time');
      m.exact(`groups[${gi}].cif.length`, g.cif.length, times.length);
      times.forEach((t, i) => {
        const row = g.cif[i];
        if (!row) return;
        m.exact(`groups[${gi}].cif[${i}].time`, row.time, t);
        m.exact(`groups[${gi}].cif[${i}].nRisk`, row.nRisk, col(rg.cif, 'nRisk')[i]);
        m.exact(`groups[${gi}].cif[${i}].nEvent`, row.nEvent, col(rg.cif, 'nEvent')[i]);
        for (const f of ['estimate', 'stdErr', 'lower', 'upper'] as const) m.close(`cif[${i}].${f}`, row[f], col(rg.cif, f)[i], CIF_TOL);
      });
      col(rg.at, 'time').forEach((t, i) => {
        m.exact(`groups[${gi}].at[${i}].time`, g.at[i].time, t);
        for (const f of ['estimate', 'stdErr', 'lower', 'upper'] as const) m.close(`at[${i}].${f}`, g.at[i][f], col(rg.at, f)[i], CIF_TOL);
      });
    });
    m.close('gray.chiSquare', out.gray?.chiSquare, rc.gray.chiSquare, MODEL_TOL);
    m.close('gray.pValue', out.gray?.pValue, rc.gray.pValue, MODEL_TOL);
    col(rc.causeSpecificCox, 'coef').forEach((b, i) => {
      m.close('causeSpecificCox.coef', out.causeSpecificCox?.terms[i].coef, b, MODEL_TOL);
      m.close('causeSpecificCox.stdErr', out.causeSpecificCox?.terms[i].stdErr, col(rc.causeSpecificCox, 'stdErr')[i], MODEL_TOL);
    });
    col(rc.fineGray, 'coef').forEach((b, i) => {
      m.close('fineGray.coef', out.fineGray?.terms[i].coef, b, MODEL_TOL);
      m.close('fineGray.stdErr', out.fineGray?.terms[i].stdErr, col(rc.fineGray, 'stdErr')[i], MODEL_TOL);
      m.close('fineGray.pValue', out.fineGray?.terms[i].pValue, col(rc.fineGray, 'pValue')[i], MODEL_TOL);
    });
    expect(m.list).toEqual([]);
  });
});
