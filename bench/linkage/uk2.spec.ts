// Short form of `npm run bench:linkage` on the second generator (generate-uk2.ts), which the
// shipped model was never trained on: `runLink` (the engine of `followup link`) over a small
// trial and a registry four times its size, in both layouts. It prints precision, recall and
// review rate. The issue-11 targets (precision >= 0.999, recall >= 0.98, review <= 2%, no valid
// row rejected) are not asserted here yet; what is asserted is that the run completes, every
// row gets exactly one decision, and every row that cannot be a registration is rejected.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkRow, runLink } from '../../apps/cli/src/commands/link';
import { generateUk2, uk2ExtractedOn } from './generate-uk2';
import { Figures, parseTruth, tally } from './score';

const patients = 2000;
const rows = 8000;

describe('linkage on the uk2 generator (short form of bench:linkage)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uk2-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['ons', 'nrs'] as const)(
    '%s: every row gets one decision and every malformed row is rejected',
    async (layout) => {
      const out = join(dir, layout);
      generateUk2({ seed: 11, patients, rows, layout, outDir: out });
      const score = tally(parseTruth(readFileSync(join(out, 'truth.csv'), 'utf8')));
      const decided = new Map<number, LinkRow['decision']>();
      const twice: number[] = [];
      const summary = await runLink({ cohort: join(out, 'cohort.csv'), registry: join(out, 'extract.csv'), extractedOn: uk2ExtractedOn }, (row) => {
        if (decided.has(row.line)) twice.push(row.line);
        decided.set(row.line, row.decision);
        score.add(row);
      });
      const f: Figures = score.figures();
      console.log(
        `uk2 ${layout.toUpperCase()} ${patients} x ${rows} (model ${summary.modelVersion}): precision ${f.precision.toFixed(4)} (${f.linkedRight}/${f.linked}), ` +
          `recall ${f.recall.toFixed(4)} (${f.linkedRight}/${f.matches}), with review ${f.recallWithReview.toFixed(4)}, review rate ${f.reviewRate.toFixed(4)} (${f.review}/${f.rows}), ` +
          `malformed rejected ${f.malformedRejected}/${f.malformed}, valid rejected ${f.validRejected}`,
      );

      expect(summary.patients).toBe(patients);
      expect(summary.rows).toBe(rows);
      expect(twice).toEqual([]);
      const missing = Array.from({ length: rows }, (_, i) => i + 2).filter((line) => !decided.has(line));
      expect(missing).toEqual([]);
      expect(f.truthRows).toBe(rows);
      expect(f.matches).toBeGreaterThan(100);
      expect(f.malformed).toBeGreaterThan(0);
      expect(f.malformedRejected).toBe(f.malformed);
    },
    180_000,
  );
});
