// viewFor is the one place a role decides blinding: only dsmb sees the arms, every other role
// (a monitor, and any role the routes do not expect) gets the pooled cut.
import type { TrialRegistered } from '@trial/contracts';
import { analyse, closedAnalysis, headlineOf, observationOf, TrialCohort, viewFor, type Observation } from '../src';
import { design as planned, followUp } from './adam-fixtures';
import { registeredTrial } from '../../../test/support/events';

const design: TrialRegistered = registeredTrial('T', 'T', { eventId: 'e' });
const observations: Observation[] = Array.from({ length: 30 }, (_, i) => ({
  patientId: `P${i}`,
  arm: i % 2 ? 'IABP' : 'control',
  site: 'KCH',
  randomisedOn: '2007-01-01',
  time: 30 + i * 11,
  status: i % 3 === 0 ? 1 : 0,
}));
const analysis = analyse(TrialCohort.of(observations), { trialId: 'T', design, eventsApplied: 30, dataComplete: {} });

describe('viewFor', () => {
  it('gives dsmb the by-arm read-out and per-arm figures', () => {
    const v = viewFor('dsmb', analysis);
    expect(v.blinded).toBe(false);
    expect(v.readout).toBe(analysis.byArm);
    expect(v.figures).toEqual({ accrual: analysis.accrual, deathRates: analysis.deathRates, atRisk: analysis.atRisk });
  });

  it.each(['monitor', 'reviewer', 'ingest', 'registry-admin', 'DSMB', ''])('gives %p the pooled cut only', (role) => {
    const v = viewFor(role, analysis);
    expect(v.blinded).toBe(true);
    expect(v.readout).toBe(analysis.pooled);
    expect(v.figures).toEqual({
      accrual: { total: 30, bySiteMonth: analysis.accrual.bySiteMonth },
      deathRate: analysis.pooledDeathRate,
      atRisk: analysis.pooledAtRisk,
    });
    expect(JSON.stringify(v)).not.toMatch(/IABP|control/);
  });
});

describe('headlineOf', () => {
  it('has the comparison only in the unblinded view', () => {
    const open = headlineOf(viewFor('dsmb', analysis));
    expect(open.groups.map((g) => g.group)).toEqual(['control', 'IABP']);
    expect(open.comparison?.logRank).not.toBeNull();
    expect(open.comparison?.hazardRatios?.map((h) => h.group)).toEqual(['IABP']);
    const blind = headlineOf(viewFor('monitor', analysis));
    expect(blind.groups.map((g) => g.group)).toEqual(['all']);
    expect(blind.comparison).toBeNull();
  });

  it('is empty when no read-out can be given', () => {
    const none = analyse(TrialCohort.of([]), { trialId: 'T', design, eventsApplied: 0, dataComplete: {} });
    expect(headlineOf(viewFor('dsmb', none))).toEqual({ groups: [], comparison: null });
  });
});

describe('viewFor with the closed-report figures', () => {
  const people = Array.from({ length: 24 }, (_, i) =>
    followUp({
      id: `P${i}`,
      arm: i % 2 ? 'IABP' : 'control',
      sex: i % 3 ? 'M' : 'F',
      region: i % 4 < 2 ? 'London' : 'North',
      death: i % 3 === 0 || i % 5 === 0 ? { on: `2008-0${(i % 9) + 1}-11`, cause: i % 2 ? 'I21.9' : 'C34.1' } : undefined,
    }),
  );
  const closed = closedAnalysis(planned, people);
  const withClosed = {
    ...analyse(TrialCohort.of(people.map(observationOf)), { trialId: 'T1', design: planned, eventsApplied: 1, dataComplete: {} }),
    closed,
  };

  it('gives a monitor (or any role but dsmb) the pooled cut: no arm label, no comparison', () => {
    for (const role of ['monitor', 'reviewer', 'DSMB']) {
      const v = viewFor(role, withClosed);
      expect(v.closed).toBe(closed.pooled);
      expect(JSON.stringify(v.closed)).not.toMatch(/IABP|control|hazardRatio|chiSquare|coef/);
      expect(headlineOf(v).comparison).toBeNull();
    }
  });

  it('gives dsmb the by-arm figures, and adds nothing when the analysis has none (a v1 trial)', () => {
    expect(viewFor('dsmb', withClosed).closed).toBe(closed.byArm);
    expect(Object.keys(viewFor('dsmb', analysis)).sort()).toEqual(['blinded', 'figures', 'readout']);
    expect(Object.keys(viewFor('monitor', analysis)).sort()).toEqual(['blinded', 'figures', 'readout']);
  });
});
