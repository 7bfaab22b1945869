// Agreement with R survival 3.5 and rpact on public data sets (aml, lung, veteran, ovarian)
// and a hand-made edge case, within the contract's tolerances: KM, Greenwood, CI, log-rank and
// RMST to 1e-9 relative; Cox to 1e-6 relative; times, counts and medians exactly; boundaries
// z to 1e-5 and alphas to 1e-6 absolute. The expected numbers and the R calls that produced
// them are in r-reference.ts (regenerate with `Rscript libs/survival/test/reference.R`).
import { computeReadout, ConfType, lanDeMetsBoundaries, Spending, Ties } from '../src';
import { arr, loadFixture, Mismatches } from './helpers';
import { boundaryCases, survivalCases } from './r-reference';

const KM_TOL = 1e-9;
const COX_TOL = 1e-6;

interface Col {
  [field: string]: unknown;
}
const col = (c: unknown, f: string): Array<number | null> => arr((c as Col)[f] as number | number[] | null);

describe('agreement with R survival', () => {
  test.each(survivalCases.map((c, i) => [`${c.name} #${i} ${c.options.confType} ${c.options.confLevel} ${c.options.ties}`, c] as const))(
    '%s',
    (_label, rc) => {
      const grouped = 'logRank' in rc;
      const tau = (rc.options as { tau?: number | null }).tau;
      const readout = computeReadout(loadFixture(rc.name, grouped), {
        confType: rc.options.confType as ConfType,
        confLevel: rc.options.confLevel,
        ties: rc.options.ties as Ties,
        at: arr(rc.options.at as number | number[] | null),
        tau: tau ?? undefined,
      });
      const m = new Mismatches();
      m.exact('groups.length', readout.groups.length, rc.groups.length);
      rc.groups.forEach((rg, gi) => {
        const g = readout.groups[gi];
        const p = `groups[${rg.group}]`;
        m.exact(`${p}.group`, g.group, rg.group);
        m.exact(`${p}.n`, g.n, rg.n);
        m.exact(`${p}.events`, g.events, rg.events);
        const times = col(rg.km, 'time');
        m.exact(`${p}.km.length`, g.km.length, times.length);
        times.forEach((t, i) => {
          const row = g.km[i];
          if (!row) return;
          const q = `${p}.km[${i}]`;
          m.exact(`${q}.time`, row.time, t);
          m.exact(`${q}.nRisk`, row.nRisk, col(rg.km, 'nRisk')[i]);
          m.exact(`${q}.nEvent`, row.nEvent, col(rg.km, 'nEvent')[i]);
          m.exact(`${q}.nCensor`, row.nCensor, col(rg.km, 'nCensor')[i]);
          m.close(`${q}.survival`, row.survival, col(rg.km, 'survival')[i], KM_TOL);
          m.close(`${q}.stdErr`, row.stdErr, col(rg.km, 'stdErr')[i], KM_TOL);
          m.close(`${q}.lower`, row.lower, col(rg.km, 'lower')[i], KM_TOL);
          m.close(`${q}.upper`, row.upper, col(rg.km, 'upper')[i], KM_TOL);
        });
        m.exact(`${p}.median.estimate`, g.median.estimate, rg.median.estimate);
        m.exact(`${p}.median.lower`, g.median.lower, rg.median.lower);
        m.exact(`${p}.median.upper`, g.median.upper, rg.median.upper);
        const rat = (rg as { at?: unknown }).at;
        if (rat !== undefined) {
          col(rat, 'time').forEach((t, i) => {
            const row = g.at[i];
            const q = `${p}.at[${i}]`;
            m.exact(`${q}.time`, row.time, t);
            m.exact(`${q}.nRisk`, row.nRisk, col(rat, 'nRisk')[i]);
            m.close(`${q}.survival`, row.survival, col(rat, 'survival')[i], KM_TOL);
            m.close(`${q}.stdErr`, row.stdErr, col(rat, 'stdErr')[i], KM_TOL);
            m.close(`${q}.lower`, row.lower, col(rat, 'lower')[i], KM_TOL);
            m.close(`${q}.upper`, row.upper, col(rat, 'upper')[i], KM_TOL);
          });
        } else {
          m.exact(`${p}.at.length`, g.at.length, 0);
        }
        const rr = (rg as { rmst?: { tau: number; estimate: number; stdErr: number } }).rmst;
        if (rr !== undefined) {
          m.exact(`${p}.rmst.tau`, g.rmst?.tau, rr.tau);
          m.close(`${p}.rmst.estimate`, g.rmst?.estimate, rr.estimate, KM_TOL);
          m.close(`${p}.rmst.stdErr`, g.rmst?.stdErr, rr.stdErr, KM_TOL);
        } else {
          m.exact(`${p}.rmst present`, 'rmst' in g, false);
        }
      });
      if ('logRank' in rc && 'cox' in rc) {
        const lr = readout.logRank;
        m.close('logRank.chiSquare', lr?.chiSquare, rc.logRank.chiSquare, KM_TOL);
        m.exact('logRank.df', lr?.df, rc.logRank.df);
        m.close('logRank.pValue', lr?.pValue, rc.logRank.pValue, KM_TOL);
        const cx = readout.cox;
        const rcx = rc.cox;
        m.exact('cox.reference', cx?.reference, rcx.reference);
        m.exact('cox.ties', cx?.ties, rcx.ties);
        const labels = arr(rcx.terms.group as string | string[]);
        m.exact('cox.terms.length', cx?.terms.length, labels.length);
        labels.forEach((label, i) => {
          const t = cx?.terms[i];
          m.exact(`cox.terms[${i}].group`, t?.group, label);
          for (const f of ['coef', 'stdErr', 'hazardRatio', 'lower', 'upper', 'z', 'pValue'] as const) {
            m.close(`cox.terms[${label}].${f}`, t?.[f], col(rcx.terms, f)[i], COX_TOL);
          }
        });
        for (const test of ['likelihoodRatio', 'wald', 'score'] as const) {
          m.close(`cox.${test}.chiSquare`, cx?.[test].chiSquare, rcx[test].chiSquare, COX_TOL);
          m.exact(`cox.${test}.df`, cx?.[test].df, rcx[test].df);
          m.close(`cox.${test}.pValue`, cx?.[test].pValue, rcx[test].pValue, COX_TOL);
        }
      } else {
        m.exact('logRank', readout.logRank, null);
        m.exact('cox', readout.cox, null);
      }
      m.exact('followUp.method', readout.followUp.method, rc.followUp.method);
      m.exact('followUp.median', readout.followUp.median, rc.followUp.median);
      m.exact('followUp.q1', readout.followUp.q1, rc.followUp.q1);
      m.exact('followUp.q3', readout.followUp.q3, rc.followUp.q3);
      expect(m.list).toEqual([]);
    },
  );
});

describe('agreement with rpact', () => {
  test.each(boundaryCases.map((b) => [b.call, b] as const))('%s', (_call, b) => {
    const result = lanDeMetsBoundaries({
      info: arr(b.options.info as number | number[]),
      alpha: b.options.alpha,
      sided: b.options.sided as 1 | 2,
      spending: b.options.spending as Spending,
    });
    const m = new Mismatches();
    m.exact('spending', result.spending, b.options.spending);
    m.exact('looks.length', result.looks.length, arr(b.looks.info as number | number[]).length);
    // rpact reports a bound of 7.5 or more as Inf (jsonlite writes "Inf"): Infinity here.
    const zs = (Array.isArray(b.looks.z) ? (b.looks.z as ReadonlyArray<number | string>) : [b.looks.z as number | string]).map((z) =>
      z === 'Inf' ? Infinity : Number(z),
    );
    zs.forEach((z, i) => {
      const look = result.looks[i];
      m.exact(`looks[${i}].info`, look.info, arr(b.looks.info as number | number[])[i]);
      if (z === Infinity) m.exact(`looks[${i}].z`, look.z, Infinity);
      else m.abs(`looks[${i}].z`, look.z, z, 1e-5);
      m.abs(`looks[${i}].nominalP`, look.nominalP, arr(b.looks.nominalP as number | number[])[i], 1e-6);
      m.abs(`looks[${i}].cumulativeAlpha`, look.cumulativeAlpha, arr(b.looks.cumulativeAlpha as number | number[])[i], 1e-6);
    });
    expect(m.list).toEqual([]);
  });
});
