// `npm run bench:stats`, third part: the dsmb read-out's closed figures at read time on a
// 300,000-patient trial (the cohort of stats-closed.ts), the two ways in one run:
// - before (the path the read-out took until issue 15 item 3 closed, and still takes for a
//   snapshot written without cells): every patient's FollowUp as the rm_patients query's rows
//   (JSON parsed, as the driver does; the database's own time is not counted, so this is a
//   lower bound) and closedAnalysis over them;
// - after: the snapshot's ClosedCohort cells (JSON parsed) and closedFromCells over them.
// Also the projector's side: one patient's change (remove + add) and the snapshot's write form.
import { noPlans, type TrialRegistered } from '@trial/contracts';
import type { FollowUp } from '@trial/followup';
import { ClosedCohort, closedAnalysis, closedFromCells, observationOf, planOf, type ClosedSnapshot } from '@trial/readmodel';
import { closedCohort } from './stats-closed';

const design: TrialRegistered = {
  v: 2,
  type: 'TrialRegistered',
  ...noPlans(),
  eventId: 'bench',
  trialId: 'BENCH',
  title: 'bench',
  arms: ['control', 'treatment'],
  referenceArm: 'control',
  plannedEvents: 1000,
  alpha: 0.05,
  sided: 2,
  looks: [1],
  spending: 'obrien-fleming',
  stratificationFactors: ['region'],
  subgroups: [
    { variable: 'sex', from: 'sex' },
    { variable: 'age', from: 'age', cuts: [75] },
    { variable: 'region', from: 'stratum' },
  ],
  endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
};

/** The CSV's rows as the follow-ups the projector derives (cause 1 cardiovascular, 2 another). */
function followUps(csv: string): FollowUp[] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line, i): FollowUp => {
      const [time, status, arm, region, sex, age] = line.split(',');
      const dead = status !== '0';
      return {
        trialId: 'BENCH',
        patientId: `P${String(i).padStart(6, '0')}`,
        arm,
        site: 'S1',
        randomisedOn: '2006-01-01',
        sex: sex === 'F' ? 'F' : 'M',
        ageAtRandomisation: age === '>=75' ? 80 : 60,
        strata: { region },
        covariates: {},
        underlyingCause: !dead ? null : status === '1' ? 'I21.9' : 'C34.1',
        endDate: '2006-01-01',
        analysisDate: '2006-01-01',
        time: Number(time),
        status: dead ? 1 : 0,
        reason: dead ? 'death' : 'registry-cutoff',
        cnsr: dead ? 0 : 1,
        registry: 'ONS',
        source: { domain: 'DeathLinked', variable: 'dateOfDeath' },
        dates: { deathOn: null, registryCompleteUpTo: null, lastKnownAlive: '2006-01-01', embarkedOn: null, withdrawnOn: null, dataCutoff: null },
        flags: [],
      };
    });
}

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export function benchClosedRead(n = 300_000, runs = 5): void {
  const people = followUps(closedCohort(n, 20261201));
  const stored = JSON.stringify(people); // what the rm_patients query returns, as text
  const cohort = ClosedCohort.of(design, people.map(observationOf));
  // The flusher's share per flush of this trial: the cells' snapshot and its JSON (median of 5; the first is JIT warm-up).
  const writes: number[] = [];
  let snapshotText = '';
  for (let k = 0; k < 5; k++) {
    const t0 = process.hrtime.bigint();
    snapshotText = JSON.stringify(cohort.snapshot());
    writes.push(ms(t0));
  }
  const write = median(writes);
  const query = { at: [365, 1000] };
  const before: number[] = [];
  const after: number[] = [];
  let a = null;
  let b = null;
  for (let k = 0; k < runs; k++) {
    const t1 = process.hrtime.bigint();
    a = closedAnalysis(design, JSON.parse(stored) as FollowUp[], query);
    before.push(ms(t1));
    const t2 = process.hrtime.bigint();
    b = closedFromCells(design, ClosedCohort.cellsOf(planOf(design), JSON.parse(snapshotText) as ClosedSnapshot), query);
    after.push(ms(t2));
  }
  const same = JSON.stringify(a) === JSON.stringify(b);
  // One patient's change as the projector folds it: a death recoded from another cause to CV.
  const changes: number[] = [];
  for (let k = 0; k < 1000; k++) {
    const f = people[(k * 7919) % n];
    const t3 = process.hrtime.bigint();
    cohort.apply(observationOf(f), observationOf({ ...f, underlyingCause: f.underlyingCause === null ? null : 'I50.0' }));
    changes.push(ms(t3));
    cohort.apply(observationOf({ ...f, underlyingCause: f.underlyingCause === null ? null : 'I50.0' }), observationOf(f));
  }
  console.log(
    `closed figures at read time, ${n.toLocaleString('en-GB')} patients (${cohort.cells().length.toLocaleString('en-GB')} cells),` +
      ` median of ${runs}: before (rm_patients rows parsed + closedAnalysis) ${median(before).toFixed(0)} ms;` +
      ` after (snapshot cells parsed + closedFromCells) ${median(after).toFixed(0)} ms; figures identical: ${same}`,
  );
  console.log(
    `  projector: one patient's change (remove + add) median ${median(changes).toFixed(4)} ms;` +
      ` cells' snapshot ${(snapshotText.length / 1e6).toFixed(2)} MB, built and serialised in ${write.toFixed(0)} ms (median of 5);` +
      ` patients' follow-ups as stored ${(stored.length / 1e6).toFixed(0)} MB`,
  );
}

if (require.main === module) benchClosedRead(Number(process.argv[2] ?? 300_000));
