// The board's looks, pure: whether one may be taken (decideTakeLook), how the projector applies
// one (decideLook, foldLooks: consecutive numbers, a repeat idempotent, frozen under the design
// before it in the log), and the interim read-out as `followup interim` on the looks' events
// and z with the design's monitoring plan.
import type { InterimLookTaken, TrialRegistered } from '@trial/contracts';
import { interimAnalysis } from '@trial/survival';
import { analyse, decideLook, decideTakeLook, foldLooks, interimReport, TrialCohort, type Observation, type TrialLooks } from '../src';
import { runInterim } from '../../../apps/cli/src/commands/interim';
import { registeredTrial } from '../../../test/support/events';

const design: TrialRegistered = registeredTrial('T', 'T', {
  eventId: 'reg',
  plannedEvents: 40,
  alpha: 0.025,
  sided: 1,
  looks: [0.5, 1],
  futility: { spending: 'pocock', beta: 0.2 },
  designHazardRatio: 0.7,
  allocationRatio: 1,
});
/** The design's monitoring plan as `followup interim` takes it. */
const PLAN = {
  plannedEvents: '40',
  looks: '0.5,1',
  alpha: '0.025',
  sided: '1',
  spending: 'obrien-fleming',
  futility: 'pocock',
  beta: '0.2',
  hr1: '0.7',
  allocation: '1',
  json: true,
};
const look = (n: number, events: number, z: number): InterimLookTaken => ({
  v: 1,
  type: 'InterimLookTaken',
  eventId: `look-${n}-${events}`,
  trialId: 'T',
  look: n,
  asOf: '2026-01-01T00:00:00.000Z',
  dataCutoff: null,
  events,
  z,
  takenBy: 'dsmb-chair',
  takenAt: '2026-01-01T00:00:01.000Z',
});
const position = (taken: InterimLookTaken[], events: number, z: number | null) => ({
  trialId: 'T',
  design,
  taken,
  now: { events, z },
  asOf: '2026-01-02T00:00:00.000Z',
  dataCutoff: null,
});
const cmd = { takenBy: 'dsmb-chair', takenAt: '2026-01-02T00:00:00.000Z', eventId: 'e1' };

describe('decideTakeLook', () => {
  it('records look n + 1 with the read-out the board saw', () => {
    const r = decideTakeLook(position([look(1, 18, -1.1)], 25, -1.6), cmd);
    expect(r).toEqual({
      ok: true,
      event: expect.objectContaining({
        type: 'InterimLookTaken',
        look: 2,
        events: 25,
        z: -1.6,
        asOf: '2026-01-02T00:00:00.000Z',
        takenBy: 'dsmb-chair',
      }),
    });
  });

  it.each([
    ['no design', { ...position([], 10, -1), design: null }, 'no-design'],
    ['no two-arm z', position([], 10, null), 'no-comparison'],
    ['no death since the last look', position([look(1, 18, -1.1)], 18, -1.2), 'no-new-information'],
    ['the final look taken', position([look(1, 18, -1.1), look(2, 40, -2)], 41, -2.1), 'final-look-taken'],
  ])('refuses a look with %s', (_name, p, code) => {
    const r = decideTakeLook(p, cmd);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

describe('decideLook and foldLooks', () => {
  it('appends consecutive looks, takes a repeat as nothing new, refuses a gap or other figures', () => {
    const held = [look(1, 18, -1.1)];
    expect(decideLook(held, design, look(2, 25, -1.6))).toEqual({ kind: 'append' });
    expect(decideLook(held, design, { ...look(1, 18, -1.1), eventId: 'retry' })).toEqual({ kind: 'duplicate' });
    expect(decideLook(held, design, look(3, 25, -1.6))).toMatchObject({ kind: 'refuse', refusal: { code: 'look-out-of-order' } });
    expect(decideLook(held, design, look(1, 19, -1.1))).toMatchObject({ kind: 'refuse', refusal: { code: 'look-conflict' } });
    expect(decideLook([], null, look(1, 18, -1.1))).toMatchObject({ kind: 'refuse', refusal: { code: 'look-before-registration' } });
  });

  it('freezes each look under the design before it in the log: a later amendment leaves it as it was', () => {
    const amended: TrialRegistered = { ...design, eventId: 'reg-2', plannedEvents: 60, looks: [1 / 3, 2 / 3, 1] };
    const state = new Map<string, TrialLooks>();
    const { appended, refused } = foldLooks(state, [design, look(1, 18, -1.1), amended, look(2, 30, -1.9), look(2, 30, -1.9)]);
    expect(refused).toEqual([]);
    expect(appended.map((l) => [l.event.look, l.design.plannedEvents])).toEqual([
      [1, 40],
      [2, 60],
    ]);
    // Look 1's report is `followup interim` on look 1 under the design then, and stays so.
    const cli = JSON.parse(runInterim({ ...PLAN, events: '18', z: '-1.1' })) as unknown;
    expect(appended[0].report).toEqual(cli);
    expect(appended[1].report).toEqual(
      interimAnalysis({
        plannedEvents: 60,
        events: [18, 30],
        z: [-1.1, -1.9],
        looks: [1 / 3, 2 / 3, 1],
        alpha: 0.025,
        sided: 1,
        spending: 'obrien-fleming',
        futility: 'pocock',
        beta: 0.2,
        hr1: 0.7,
        allocation: 1,
      }),
    );
  });
});

describe('interimReport', () => {
  // 40 patients, experimental (IABP) deaths fewer: a negative z.
  const observations: Observation[] = Array.from({ length: 40 }, (_, i) => ({
    patientId: `P${i}`,
    arm: i % 2 ? 'IABP' : 'control',
    site: 'KCH',
    randomisedOn: '2007-01-01',
    time: 30 + i * 7,
    status: i % 2 ? (i % 3 === 0 ? 1 : 0) : i % 5 === 0 ? 0 : 1,
  }));
  const readout = (() => {
    const a = analyse(TrialCohort.of(observations), { trialId: 'T', design, eventsApplied: 40, dataComplete: {} });
    if (!a.byArm.ok) throw new Error('no by-arm read-out');
    return a.byArm.value;
  })();

  it('is `followup interim` on the looks taken and the current position as a prospective look, with the negative-favours sign', () => {
    const r = interimReport(design, [{ events: 10, z: -0.8 }], readout);
    expect(r.logRankZ).toBeLessThan(0);
    expect(r.prospective).toBe(true);
    expect(r.looksTaken).toBe(1);
    const { deaths: _d, informationFraction: _i, logRankZ: _z, looksTaken: _t, prospective: _p, ...doc } = r;
    expect(doc).toEqual(JSON.parse(runInterim({ ...PLAN, events: `10,${readout.events}`, z: `-0.8,${r.logRankZ}` })));
  });

  it('without a look or new information, the planned design with every look to come', () => {
    const r = interimReport(design, [{ events: readout.events, z: -1 }], readout);
    expect(r.prospective).toBe(false);
    expect(r.looks.filter((l) => l.taken).map((l) => l.events)).toEqual([readout.events]);
    const none = interimReport({ ...design, arms: ['control', 'IABP'] }, [], { ...readout, logRank: null });
    expect(none.looks.map((l) => [l.taken, l.events])).toEqual([
      [false, 20],
      [false, 40],
    ]);
  });
});
