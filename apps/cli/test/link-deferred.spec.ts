// `followup link` decides every row in one pass but under a λ known only at the end of the
// extract (DeferredDecisions). Its rows must be exactly those of deciding each row on its own,
// with `decide` and the row's blocked candidates, under that final λ.
import { createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkageIndex, LinkageModel, decide, defaultModel, prepareForLinkage, priorModel } from '@trial/linkage';
import { readRegistry } from '@trial/registry';
import { generate } from '../../../bench/linkage/generate';
import { LinkRow, LinkSummary, loadCohort, runLink } from '../src/commands/link';

async function linkAll(dir: string, model: LinkageModel, prior?: number): Promise<{ rows: LinkRow[]; summary: LinkSummary }> {
  const rows: LinkRow[] = [];
  const summary = await runLink(
    { cohort: join(dir, 'cohort.csv'), registry: join(dir, 'extract.csv'), model, prior, extractedOn: '2011-10-02' },
    (r) => {
      rows.push(r);
    },
  );
  return { rows, summary };
}

/** Each row decided on its own: readRegistry on this thread, `decide` on the index's candidates. */
async function direct(dir: string, model: LinkageModel, prior: number): Promise<Map<number, Pick<LinkRow, 'decision' | 'patientId' | 'weight'>>> {
  const index: LinkageIndex = await loadCohort(join(dir, 'cohort.csv'));
  const out = new Map<number, Pick<LinkRow, 'decision' | 'patientId' | 'weight'>>();
  for await (const r of readRegistry(createReadStream(join(dir, 'extract.csv')), { extractedOn: '2011-10-02' })) {
    if (!r.ok) {
      out.set(r.line, { decision: 'rejected', patientId: null, weight: null });
      continue;
    }
    const { prepared } = prepareForLinkage(r.record);
    const d = decide(prepared, index.candidatesFor(prepared), model, { maxCandidates: 0, prior });
    out.set(r.line, { decision: d.decision, patientId: d.patientId, weight: d.weight });
  }
  return out;
}

describe('followup link: rows decided before λ is known', () => {
  it.each([
    [1, 'ons', defaultModel],
    [2, 'nrs', defaultModel],
    [3, 'ons', priorModel],
  ] as const)(
    'equal deciding each row with decide() under the final λ (seed %i, %s)',
    async (seed, layout, model) => {
      const dir = mkdtempSync(join(tmpdir(), 'link-deferred-'));
      generate({ seed, patients: 1500, rows: 4000, layout, outDir: dir });
      const { rows, summary } = await linkAll(dir, model);
      expect(summary.prior.basis).toBe('estimated');
      expect(summary.prior.counts.deterministic).toBeGreaterThan(0);
      const expected = await direct(dir, model, summary.prior.prior);
      expect(rows).toHaveLength(expected.size);
      expect(rows.map((r) => r.line)).toEqual([...expected.keys()]);
      for (const r of rows)
        expect({ line: r.line, decision: r.decision, patientId: r.patientId, weight: r.weight }).toEqual({ line: r.line, ...expected.get(r.line) });
      // `--prior` with the estimate decides row by row as it reads, and agrees.
      const fixed = await linkAll(dir, model, summary.prior.prior);
      expect(fixed.rows).toEqual(rows);
      expect(fixed.summary.prior.counts).toEqual(summary.prior.counts);
      // The λ matters on this data: under the model's own some decisions differ.
      const atModel = await linkAll(dir, model, model.prior);
      expect(atModel.rows.some((r, i) => r.decision !== rows[i].decision)).toBe(true);
    },
    120_000,
  );
});
