import { contentHash, type OutcomeEvent, type PatientRandomised } from '@trial/contracts';
import type { FollowupEvent } from '@trial/followup';
import { foldGuarded, foldLog } from './guard';
import { ENROLLED_AS } from '../../../test/support/feeds';

const base = { v: 1 as const, trialId: 'T', patientId: 'P1', occurredAt: '2026-01-01T00:00:00Z', source: 'ONS' as const, recordId: 'D1' };
const linked = (seq: number | undefined, version = 1, eventId = `l-${version}-${seq}`): FollowupEvent => ({
  ...base,
  type: 'DeathLinked',
  eventId,
  version,
  seq,
  dateOfDeath: '2009-06-30',
  underlyingCause: null,
  evidence: { method: 'deterministic', modelVersion: 'm', weight: null, fields: {} },
});
const withdrawn = (seq: number | undefined, version = 1): FollowupEvent => ({
  ...base,
  type: 'DeathWithdrawn',
  eventId: `w-${version}-${seq}`,
  version,
  seq,
  reason: 'relinked',
});
const randomised = (over: Partial<PatientRandomised> = {}): PatientRandomised => ({
  v: 2,
  type: 'PatientRandomised',
  strata: {},
  covariates: {},
  eventId: 'r1',
  trialId: 'T',
  patientId: 'P1',
  arm: 'IABP',
  randomisedOn: '2007-01-10',
  site: 'KCH',
  ...ENROLLED_AS,
  givenNames: 'John',
  postcode: null,
  ...over,
});

describe('the projector guard (pure)', () => {
  it('refuses an outcome whose seq does not go forward, and keeps the state of the ones before', () => {
    const f = foldGuarded(null, [randomised(), withdrawn(2), linked(1), linked(2, 1, 'other')]);
    expect(f.refused.map((r) => r.refusal.code)).toEqual(['out-of-order', 'out-of-order']);
    expect(f.state.records['ONS:D1']).toMatchObject({ kind: 'death-withdrawn' });
    expect(f.guard.seq).toBe(2);
    // In order, the same events all apply.
    expect(foldGuarded(null, [randomised(), linked(1), withdrawn(2)]).refused).toEqual([]);
  });

  it('takes events without a seq (logs written before it) unchecked by seq, but still by record version', () => {
    const f = foldGuarded(null, [linked(undefined, 2), withdrawn(undefined, 2), linked(undefined, 1)]);
    expect(f.refused.map((r) => r.refusal.code)).toEqual(['version-regressed']);
    expect(f.state.records['ONS:D1']).toMatchObject({ kind: 'death-withdrawn', version: 2 });
  });

  it('refuses a second randomisation with other content; the same content under a new id is a duplicate', () => {
    const f = foldGuarded(null, [
      randomised(),
      randomised({ eventId: 'r2' }),
      randomised({ eventId: 'r3', arm: 'control' }),
      randomised({ eventId: 'r4', dateOfBirth: '1941-02-04' }),
    ]);
    expect(f.refused.map((r) => r.refusal.code)).toEqual(['conflicting-randomisation', 'conflicting-randomisation']);
    expect(f.state.randomisation).toMatchObject({ eventId: 'r1', arm: 'IABP' });
    for (const r of f.refused) expect(r.refusal.reason).not.toMatch(/9434765919|Smith|1941/);
  });

  it('folds a log as the live projector would: a redelivery once, an id reused with other content refused', () => {
    const l1 = linked(1);
    const reused = { ...linked(1), dateOfDeath: '2010-01-01' } as OutcomeEvent;
    const folded = foldLog([randomised(), l1, l1, reused, withdrawn(2), linked(1, 1, 'late')]);
    expect(folded.applied.map((a) => a.event.eventId)).toEqual(['r1', l1.eventId, 'w-1-2']);
    expect(folded.refused).toBe(2);
    expect(folded.patients.get('T\u0000P1')?.state.records['ONS:D1']).toMatchObject({ kind: 'death-withdrawn' });
  });

  it('hashes content whatever the key order', () => {
    expect(contentHash({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(contentHash({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });
});
