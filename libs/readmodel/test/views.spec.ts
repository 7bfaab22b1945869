import { noPlans } from '@trial/contracts';
// viewFor is the one place a role decides blinding: only dsmb sees the arms, every other role
// (a monitor, and any role the routes do not expect) gets the pooled cut.
import type { TrialRegistered } from '@trial/contracts';
import { analyse, headlineOf, TrialCohort, viewFor, type Observation } from '../src';

const design: TrialRegistered = {
  v: 2, type: 'TrialRegistered', ...noPlans(), eventId: 'e', trialId: 'T', title: 'T', arms: ['control', 'IABP'], referenceArm: 'control',
  plannedEvents: 10, alpha: 0.05, sided: 2, looks: [1], spending: 'obrien-fleming',
};
const observations: Observation[] = Array.from({ length: 30 }, (_, i) => ({
  patientId: `P${i}`, arm: i % 2 ? 'IABP' : 'control', site: 'KCH', randomisedOn: '2007-01-01', time: 30 + i * 11, status: i % 3 === 0 ? 1 : 0,
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
      accrual: { total: 30, bySiteMonth: analysis.accrual.bySiteMonth }, deathRate: analysis.pooledDeathRate, atRisk: analysis.pooledAtRisk,
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
