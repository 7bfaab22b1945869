// Micro-bench: the cost of checking stored JSON on its way out of Postgres (libs/followup stored.ts),
import { readFileSync } from 'node:fs';
// per row, against the cast it replaces. `npx tsx bench/stored-rows.ts`.
import { checkedRows, storedDesign, storedRows } from '@trial/contracts';
import {
  deriveFollowUp,
  followUpProblem,
  guardProblem,
  initialState,
  patientStateProblem,
  storedFollowUp,
  storedGuard,
  storedPatientState,
  type PatientState,
} from '@trial/followup';
import { z } from 'zod';

const N = 100_000;
const state: PatientState = {
  ...initialState,
  trialId: 'BCIS-1',
  patientId: 'BCIS1-0001',
  nhsNumber: '9434765919',
  dateOfBirth: '1941-02-03',
  sex: 'M',
  randomisation: { eventId: 'e1', arm: 'IABP', site: 'KCH', randomisedOn: '2009-01-30', strata: { REGION: 'London' }, covariates: {} },
  seenAlive: ['2009-03-01', '2009-09-01', '2010-03-01'],
  records: {
    'ONS:r1': { source: 'ONS', recordId: 'r1', version: 2, kind: 'death', dateOfDeath: '2012-05-01', from: 'DeathAmended', underlyingCause: 'I21' },
  },
};
const derived = deriveFollowUp(state, { ONS: '2013-01-01' });
if (!derived.ok) throw new Error('no follow-up');
const followUp = derived.value;
const rows = Array.from({ length: N }, () => JSON.parse(JSON.stringify({ state, followup: followUp, guard: { seq: 3, randomisation: 'h' } })));
const patientRow = z.object({ state: storedPatientState, followup: storedFollowUp.nullable(), guard: storedGuard.nullable() });
const observation = z.object({
  followup: z.object({ arm: z.string(), site: z.string(), randomisedOn: z.string(), time: z.number(), status: z.number() }),
});

function time(name: string, f: () => unknown): void {
  for (let i = 0; i < 3; i++) f(); // warm
  const t0 = process.hrtime.bigint();
  f();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  console.log(`${name.padEnd(36)} ${us.toFixed(2)} µs/row`);
}
time('cast (as T[])', () => rows as unknown[]);
time('patient row (state, followup, guard)', () => storedRows(patientRow, rows, { table: 'rm_patients' }));
time('state only', () => storedRows(z.object({ state: storedPatientState }), rows, { table: 'rm_patients' }));
time('followup only', () => storedRows(z.object({ followup: storedFollowUp }), rows, { table: 'rm_patients' }));
time('observation fields only', () => storedRows(observation, rows, { table: 'rm_patients' }));
time('patient row, one array parse', () => z.array(patientRow).safeParse(rows));
time('guard only', () => storedRows(z.object({ guard: storedGuard }), rows, { table: 'rm_patients' }));
const cheap = (r: Record<string, unknown>) =>
  patientStateProblem(r.state) ?? (r.followup === null ? null : followUpProblem(r.followup)) ?? (r.guard === null ? null : guardProblem(r.guard));
time('patient row, structural (checkedRows)', () => checkedRows(rows, cheap, { table: 'rm_patients' }));
const design = JSON.parse(readFileSync('demo/data/enrollments.jsonl', 'utf8').split('\n')[0]).event as unknown;
time('trial design (storedDesign), per trial', () => {
  for (let i = 0; i < N; i++) storedDesign(design);
});
