// Against the real Postgres: the projector keeps the closed figures' cells
// (ClosedCohort) in the trial's snapshot, event by event, and the dsmb read-out "now" is
// computed from them; they equal the recompute from the patients' states (closedAnalysis, the
// history path). Run twice: a second projector (cold cache) given the same events again, at new
// offsets, changes nothing; a change after that (a cause recoded) moves the cells as it should;
// a replay of the log, run twice, writes cells with the same figures.
import { DataSource } from 'typeorm';
import { storedDesign, type EnrollmentEvent, type OutcomeEvent, type TrialRegistered } from '@trial/contracts';
import { ClosedCohort, closedAnalysis, closedFromCells, followUpOf, planKey, planOf, type ClosedAnalysis, type LogEvent } from '@trial/readmodel';
import { createDataSource, migrate } from '@trial/storage';
import { TEST_DATABASE_URL, uniqueId } from '../../../test/support';
import { analysisAt, heldAt } from './queries';
import { inMemory } from './log-reader';
import { rebuild } from './rebuild';
import type { TrialSnapshot } from './rows';
import { CVDEATH, registeredTrial } from '../../../test/support/events';
import { testProjector } from '../../../test/support/projector';

const NOW = '2026-01-01T12:00:00.000Z';

describe('the closed figures from the projector snapshot (ClosedCohort)', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 3 }).initialize();
    await migrate(ds);
  });
  afterAll(async () => ds?.destroy());

  const trialId = uniqueId('CLOSEDCELLS');
  const ev = (id: string) => `${trialId}:${id}`;
  const registered: TrialRegistered = registeredTrial(trialId, 'closed cells', {
    plannedEvents: 20,
    stratificationFactors: ['region'],
    subgroups: [
      { variable: 'sex', from: 'sex' },
      { variable: 'age75', from: 'age', cuts: [75] },
      { variable: 'region', from: 'stratum' },
    ],
    endpoints: [CVDEATH],
  });
  const N = 48;
  const pid = (i: number) => `P${String(i).padStart(2, '0')}`;
  const randomised = (i: number): EnrollmentEvent => ({
    v: 2,
    type: 'PatientRandomised',
    eventId: ev(`r${i}`),
    trialId,
    patientId: pid(i),
    arm: i % 2 ? 'IABP' : 'control',
    randomisedOn: `2007-${String((i % 12) + 1).padStart(2, '0')}-1${i % 10}`,
    site: 'KCH',
    nhsNumber: '9434765919',
    chiNumber: null,
    dateOfBirth: `19${28 + (i % 20)}-06-01`,
    sex: i % 3 ? 'M' : 'F',
    familyName: 'Test',
    givenNames: 'Patient',
    postcode: null,
    strata: { region: ['London', 'North', 'Wales'][i % 3] },
    covariates: {},
  });
  const causes = ['I21.9', 'C34.1', 'I50.0', null];
  const base = (type: string, i: number, id: string) => ({ v: 1 as const, type, eventId: ev(id), trialId, patientId: pid(i), occurredAt: NOW });
  const ref = (i: number, version: number) => ({ source: 'ONS' as const, recordId: `${trialId}-D${i}`, version });
  const diedOn = (i: number) => `2009-0${(i % 9) + 1}-${String((i % 27) + 1).padStart(2, '0')}`;
  const died = (i: number): OutcomeEvent => ({
    ...base('DeathLinked', i, `d${i}`),
    type: 'DeathLinked',
    ...ref(i, 1),
    dateOfDeath: diedOn(i),
    underlyingCause: causes[(i >> 1) % causes.length],
    evidence: { method: 'deterministic', modelVersion: 't', weight: null, fields: {} },
  });
  const recoded = (i: number, cause: string, v = 2): OutcomeEvent => ({
    ...base('DeathAmended', i, `a${i}-${v}`),
    type: 'DeathAmended',
    ...ref(i, v),
    dateOfDeath: diedOn(i),
    underlyingCause: cause,
  });
  const dying = Array.from({ length: N }, (_, k) => k + 1).filter((i) => i % 2 === 0 || i % 3 === 0);
  // Batches as the consumer would give them, each its own trial version: the cells are folded in one change at a time.
  const batches: LogEvent[][] = [
    [registered, ...Array.from({ length: N / 2 }, (_, k) => randomised(k + 1))],
    Array.from({ length: N / 2 }, (_, k) => randomised(N / 2 + k + 1)),
    dying.slice(0, 12).map(died),
    [{ v: 1, type: 'RegistryExtractCompleted', eventId: ev('ons'), occurredAt: NOW, source: 'ONS', completeUpTo: '2010-12-31' }],
    dying.slice(12).map(died),
    // Causes recoded (CV to cancer, unknown to CV) and a death withdrawn: the all-cause figures do not move for the first two.
    [recoded(2, 'C34.1'), recoded(4, 'I21.0'), { ...base('DeathWithdrawn', 6, 'w6'), type: 'DeathWithdrawn', ...ref(6, 2), reason: 'cancelled' }],
  ];

  const snapshotOf = async (): Promise<TrialSnapshot> =>
    ((await ds.query(`select snapshot from rm_readouts where trial_id = $1`, [trialId])) as Array<{ snapshot: TrialSnapshot }>)[0].snapshot;
  /** The closed figures recomputed from the patients' states (the asOf path's inputs), and those of the snapshot's cells. */
  const both = async (): Promise<{ fromCells: ClosedAnalysis; fromStates: ClosedAnalysis; snapshot: TrialSnapshot }> => {
    const snapshot = await snapshotOf();
    const design = storedDesign(snapshot.design)!;
    expect(snapshot.closed).toBeDefined();
    expect(snapshot.closed!.plan).toBe(planKey(planOf(design)));
    const held = await heldAt(ds, trialId);
    const followUps = held.states.map((s) => followUpOf(s, held.completeness)).flatMap((f) => (f ? [f] : []));
    const query = { at: [365, 900] };
    return {
      fromCells: closedFromCells(design, ClosedCohort.cellsOf(planOf(design), snapshot.closed!), query),
      fromStates: closedAnalysis(design, followUps, query),
      snapshot,
    };
  };

  function projector() {
    const p = testProjector(ds, `closed-cells-${trialId}`, () => NOW);
    let offset = 0;
    return {
      p,
      apply: async (events: LogEvent[]) => {
        const start = offset;
        offset += events.length;
        await p.apply({
          topic: `closed-cells-${trialId}`,
          partition: 0,
          lastOffset: String(offset - 1),
          messages: events.map((value, i) => ({ offset: String(start + i), value })),
        });
        await p.drain();
      },
    };
  }

  it('keeps the cells batch by batch, equal to the recompute from states, and the read-out now gives their figures', async () => {
    const first = projector();
    for (const b of batches) {
      await first.apply(b);
      const { fromCells, fromStates } = await both();
      expect(fromCells).toEqual(fromStates);
    }
    const { fromStates } = await both();
    // The figures compared are estimated ones.
    expect(fromStates.byArm.stratified).not.toBeNull();
    expect(fromStates.byArm.endpoints.CVDEATH.competingRisks?.fineGray).not.toBeNull();
    const now = await analysisAt(ds, trialId, {}, { at: [365, 900] }, { closed: true });
    expect(now.analysis.closed).toEqual((await both()).fromCells);

    // Twice: a second projector (cold cache) given every event again at new offsets changes nothing.
    const before = await snapshotOf();
    const second = projector();
    for (const b of batches) await second.apply(b);
    await second.apply(batches.flat());
    const again = await both();
    expect(again.snapshot.closed).toEqual(before.closed);
    expect(again.fromCells).toEqual(again.fromStates);

    // Then a change through that cold-started projector: P02 (control) recoded back to CV adds one CV death to control.
    const cv = (a: ClosedAnalysis) => a.byArm.endpoints.CVDEATH.competingRisks!.groups.map((g) => g.events);
    const [c0, i0] = cv(again.fromCells);
    await second.apply([recoded(2, 'I21.9', 3)]);
    const moved = await both();
    expect(cv(moved.fromCells)).toEqual([c0 + 1, i0]);
    expect(moved.fromCells).toEqual(moved.fromStates);

    // The plan changes under counted patients (a registration amended with a site subgroup): the cells are re-keyed from the follow-ups.
    const amendedPlan: TrialRegistered = {
      ...registered,
      eventId: ev('reg2'),
      subgroups: [...registered.subgroups, { variable: 'site', from: 'site' }],
    };
    await second.apply([amendedPlan]);
    const rekeyed = await both();
    expect(rekeyed.fromCells.byArm.subgroups.map((g) => g.variable)).toEqual(['sex', 'age75', 'region', 'site']);
    expect(rekeyed.fromCells).toEqual(rekeyed.fromStates);
    const q = { at: [365, 900] };
    expect((await analysisAt(ds, trialId, {}, q, { closed: true })).analysis.closed).toEqual(rekeyed.fromCells);

    // Replay (followup replay) over the same log, twice: the cells it writes give the live figures.
    const log = [...batches.flat(), recoded(2, 'I21.9', 3), amendedPlan];
    const read = inMemory({ events: log, watermarks: [], invalid: 0 });
    for (const day of ['02', '03']) {
      await rebuild(ds, read, { trialId, now: () => `2026-01-${day}T12:00:00.000Z`, consumer: `closed-cells-${trialId}` });
      const replayed = await both();
      expect(replayed.fromCells).toEqual(rekeyed.fromCells);
      expect(replayed.fromStates).toEqual(rekeyed.fromStates);
    }

    // A snapshot written before the cells (an older projector's) still reads: from the follow-ups, the same figures.
    await ds.query(
      `update rm_readouts set snapshot = (snapshot::jsonb - 'closed')::json, recorded_at = recorded_at + interval '1 millisecond'
      where trial_id = $1`,
      [trialId],
    );
    expect((await snapshotOf()).closed).toBeUndefined();
    expect((await analysisAt(ds, trialId, {}, q, { closed: true })).analysis.closed).toEqual(rekeyed.fromStates);
  });
});
