import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollmentEvent, upcast } from '@trial/contracts';
import { readRegistry } from '@trial/registry';
import { listDemo, writeDemo } from './generate';
import { isValidChiNumber, isValidNhsNumber } from './identifiers';
import type { AwaitingReview, Step } from './manifest';
import { TARGETS, TargetName } from './targets';

const committed = join(__dirname, 'data');
const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');

interface Expected {
  achieved: Record<string, number>;
  patients: Array<{ patientId: string; arm: string; site: string; time: number; status: number; reason: string }>;
}
const expected = JSON.parse(read(committed, 'expected.json')) as Expected;
const manifest = JSON.parse(read(committed, 'manifest.json')) as { steps: Step[]; awaitingReview: AwaitingReview[] };
const lines = read(committed, 'enrollments.jsonl')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as { on: string; key: string; event: unknown });

describe('demo data set (BCIS-1)', () => {
  it('regenerates byte for byte from its seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bcis1-demo-'));
    try {
      writeDemo(dir);
      expect(listDemo(dir)).toEqual(listDemo(committed));
      for (const name of listDemo(committed)) expect(read(dir, name) === read(committed, name)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has 301 patients, 151 IABP and 150 control, at 17 sites, with 42 and 58 deaths', () => {
    const arm = (a: string) => expected.patients.filter((p) => p.arm === a);
    expect(arm('IABP')).toHaveLength(151);
    expect(arm('control')).toHaveLength(150);
    expect(new Set(expected.patients.map((p) => p.site)).size).toBe(17);
    expect(arm('IABP').filter((p) => p.status === 1)).toHaveLength(42);
    expect(arm('control').filter((p) => p.status === 1)).toHaveLength(58);
    expect(
      expected.patients
        .filter((p) => p.reason !== 'death' && p.reason !== 'end-of-follow-up')
        .map((p) => p.reason)
        .sort(),
    ).toEqual(['consent-withdrawn', 'embarked', 'no-trace']);
  });

  it('meets every target of the paper by its own statistics (R is the referee: check-targets.R)', () => {
    for (const k of Object.keys(TARGETS) as TargetName[]) {
      expect(Math.abs(expected.achieved[k] - TARGETS[k].paper)).toBeLessThanOrEqual(TARGETS[k].tolerance);
    }
  });

  it('writes enrolment events that the contract accepts, with unique ids, in time order', () => {
    const events = lines.map((l) => enrollmentEvent.parse(upcast(l.event)));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(lines.map((l) => l.on)).toEqual([...lines.map((l) => l.on)].sort());
    const randomised = events.flatMap((e) => (e.type === 'PatientRandomised' ? [e] : []));
    expect(randomised[0].randomisedOn.slice(0, 7)).toBe('2005-12');
    expect(randomised[randomised.length - 1].randomisedOn.slice(0, 7)).toBe('2009-01');
    // Every NHS number passes Modulus 11 but the one a site mistyped; every CHI agrees with its patient.
    expect(randomised.filter((p) => p.nhsNumber !== null && !isValidNhsNumber(p.nhsNumber))).toHaveLength(1);
    const scots = randomised.filter((p) => p.chiNumber !== null);
    expect(scots.length).toBeGreaterThan(10);
    for (const p of scots) expect(isValidChiNumber(p.chiNumber as string, p.dateOfBirth, p.sex as 'M' | 'F')).toBe(true);
    const males = randomised.filter((p) => p.sex === 'M').length / randomised.length;
    expect(males).toBeGreaterThan(0.7);
    expect(males).toBeLessThan(0.9);
  });

  it('lists every step in time order and covers every line and extract once', () => {
    const days = manifest.steps.map((s) => s.on);
    expect(days).toEqual([...days].sort());
    const batches = manifest.steps.flatMap((s) => (s.kind === 'enrolments' ? [s] : []));
    expect(batches.map((b) => [b.firstLine, b.lastLine])).toEqual(batches.map((b, i) => [i === 0 ? 1 : batches[i - 1].lastLine + 1, b.lastLine]));
    expect(batches[batches.length - 1].lastLine).toBe(lines.length);
    const files = manifest.steps.flatMap((s) => (s.kind === 'extract' ? [s.file] : []));
    expect(files.sort()).toEqual(listDemo(committed).filter((f) => f.startsWith('extracts/')));
    const decisions = manifest.steps.flatMap((s) => (s.kind === 'review' ? s.decisions : []));
    expect(decisions.filter((d) => d.decision === 'accept').length).toBeGreaterThanOrEqual(4);
    expect(decisions.filter((d) => d.decision === 'reject').length).toBeGreaterThanOrEqual(2);
  });

  it('files extracts that the registry reader accepts row by row, with the special cases and the haystack', async () => {
    const rows: Array<{ kind: string; recordId: string; version: number; dateOfDeath: string | null }> = [];
    for (const step of manifest.steps) {
      if (step.kind !== 'extract') continue;
      for await (const r of readRegistry(createReadStream(join(committed, step.file)), { extractedOn: step.extractedOn })) {
        if (!r.ok) throw new Error(`${step.file} line ${r.line}: ${r.error.field} ${r.error.reason}`);
        rows.push(r.record);
      }
    }
    expect(rows.filter((r) => r.kind === 'death-cancelled')).toHaveLength(1);
    expect(rows.filter((r) => r.kind === 'embarkation')).toHaveLength(2);
    expect(rows.filter((r) => r.kind === 're-entry')).toHaveLength(1);
    expect(rows.filter((r) => r.kind === 'no-trace')).toHaveLength(1);
    const amended = rows.filter((r) => r.kind === 'death' && r.version === 2);
    expect(amended).toHaveLength(1);
    const first = rows.find((r) => r.recordId === amended[0].recordId && r.version === 1);
    expect(first?.dateOfDeath).not.toBe(amended[0].dateOfDeath);
    expect(rows.filter((r) => r.kind === 'death').length).toBeGreaterThan(3000);
  });

  it('leaves a namesake and a death before randomisation for the reviewer, neither a counted death nor decided by the replay', async () => {
    expect(manifest.awaitingReview.map((a) => [a.case, a.decision])).toEqual([
      ['death-before-randomisation', 'reject'],
      ['namesake', 'reject'],
    ]);
    const decided = new Set(manifest.steps.flatMap((s) => (s.kind === 'review' ? s.decisions.map((d) => d.recordId) : [])));
    for (const a of manifest.awaitingReview) expect(decided.has(a.recordId)).toBe(false);
    const records = new Map<
      string,
      {
        nhsNumber: string | null;
        dateOfBirth: string | null;
        sex: string | null;
        familyName: string | null;
        givenNames: string | null;
        postcode: string | null;
        dateOfDeath: string | null;
        dateOfRegistration: string | null;
      }
    >();
    for (const step of manifest.steps) {
      if (step.kind !== 'extract' || step.source !== 'ONS') continue;
      for await (const r of readRegistry(createReadStream(join(committed, step.file)), { extractedOn: step.extractedOn })) {
        if (r.ok && manifest.awaitingReview.some((a) => a.recordId === r.record.recordId)) records.set(r.record.recordId, r.record);
      }
    }
    const patients = lines.map((l) => enrollmentEvent.parse(upcast(l.event))).flatMap((e) => (e.type === 'PatientRandomised' ? [e] : []));
    const patientOf = (a: AwaitingReview) => patients.find((p) => a.why.includes(`${p.patientId} `) || a.why.includes(`${p.patientId}:`));
    const [early, namesake] = manifest.awaitingReview;
    const e = records.get(early.recordId)!;
    const ep = patientOf(early)!;
    // The patient's own number and details, dated before randomisation, registered after it.
    expect([e.nhsNumber, e.dateOfBirth, e.familyName]).toEqual([ep.nhsNumber, ep.dateOfBirth, ep.familyName.toUpperCase()]);
    expect(e.dateOfDeath! < ep.randomisedOn && e.dateOfRegistration! > ep.randomisedOn).toBe(true);
    const n = records.get(namesake.recordId)!;
    const np = patientOf(namesake)!;
    expect([n.nhsNumber, n.sex, n.familyName, n.givenNames]).toEqual([null, np.sex, np.familyName.toUpperCase(), np.givenNames.toUpperCase()]);
    expect(Math.abs(Date.parse(n.dateOfBirth!) - Date.parse(np.dateOfBirth))).toBe(86_400_000);
    expect(n.postcode!.split(' ')[0]).not.toBe(np.postcode!.split(' ')[0]);
    // Neither is a death the ground truth counts: both patients are followed to the census, alive.
    for (const p of [ep, np])
      expect(expected.patients.find((x) => x.patientId === p.patientId)).toMatchObject({ status: 0, reason: 'end-of-follow-up' });
  });
});
