import { decode, enrollmentEvent, outcomeEvent, registryNotification } from './index';
import { ONS_DEATH, RANDOMISED } from '../../../test/support/feeds';

/** A valid DeathLinked (patient P), that a case changes one field of. */
const LINKED = {
  v: 1,
  type: 'DeathLinked',
  eventId: 'o1',
  trialId: 'T',
  patientId: 'P',
  occurredAt: '2026-01-01T00:00:00.000Z',
  source: 'ONS',
  recordId: 'R',
  version: 1,
  dateOfDeath: '2009-06-30',
  underlyingCause: null,
  evidence: { method: 'deterministic', modelVersion: 'm', weight: null, fields: {} },
};

/**
 * Strings are bounded so that a schema-valid message can always be stored. Unbounded, a 10 kB
 * patientId passed decode and then failed in Postgres (an index row holds ~2.7 kB); database
 * failures are retried as environmental, so that one message held its consumer for good.
 */
describe('string bounds', () => {
  const randomised = RANDOMISED;
  const death = ONS_DEATH;
  const long = 'x'.repeat(10_000);

  it('refuses an overlong id or name, naming the field and not quoting it', () => {
    for (const field of ['patientId', 'trialId', 'eventId', 'familyName', 'givenNames', 'postcode', 'nhsNumber']) {
      const r = decode(enrollmentEvent, JSON.stringify({ ...randomised, [field]: long }));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.reason).toMatch(new RegExp(`^${field}: must be at most \\d+ characters`));
        expect(r.error.reason).not.toContain('xxxxxxxxxx');
      }
    }
    for (const field of ['recordId', 'familyName', 'underlyingCause', 'placeOfDeath', 'chiNumber']) {
      const r = decode(registryNotification, JSON.stringify({ ...death, [field]: long }));
      expect(r.ok).toBe(false);
    }
    const linked = { ...LINKED, patientId: long };
    expect(decode(outcomeEvent, JSON.stringify(linked)).ok).toBe(false);
    expect(decode(outcomeEvent, JSON.stringify({ ...linked, patientId: 'P' })).ok).toBe(true);
  });

  it('bounds identifierWarnings (optional: a v1 record without it still decodes)', () => {
    const warned = { ...death, nhsNumber: '9434765918', identifierWarnings: [{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }] };
    expect(decode(registryNotification, JSON.stringify(warned))).toEqual({ ok: true, value: warned });
    expect(decode(registryNotification, JSON.stringify(death))).toEqual({ ok: true, value: death });
    const refused = [
      { ...warned, identifierWarnings: [{ field: 'nhsNumber', reason: long }] },
      { ...warned, identifierWarnings: Array(3).fill(warned.identifierWarnings[0]) },
      { ...warned, identifierWarnings: [{ field: 'postcode', reason: 'r' }] },
      { ...warned, identifierWarnings: Array(10_000).fill(warned.identifierWarnings[0]) },
    ];
    for (const r of refused) {
      const d = decode(registryNotification, JSON.stringify(r));
      expect(d.ok).toBe(false);
      if (!d.ok) expect(d.error.reason).not.toContain('xxxxxxxxxx');
    }
  });

  it('keeps real values: the feeds.md examples and a long but real name', () => {
    expect(decode(enrollmentEvent, JSON.stringify({ ...randomised, givenNames: 'Anne Marie Louise Victoria Elizabeth Charlotte' })).ok).toBe(true);
    expect(decode(registryNotification, JSON.stringify({ ...death, nhsNumber: '943 476 5919' })).ok).toBe(true);
  });
});

describe('values no consumer may apply', () => {
  const linked = LINKED;

  it('refuses a record version beyond what is stored (an int), on followup.outcomes as on registry.notifications', () => {
    for (const version of [2_147_483_648, 3_000_000_000, 4_294_967_297]) {
      const r = decode(outcomeEvent, JSON.stringify({ ...linked, version }));
      expect(r.ok).toBe(false);
    }
    expect(decode(outcomeEvent, JSON.stringify({ ...linked, version: 2_147_483_647 })).ok).toBe(true);
  });

  it('refuses a completeness after the moment it was decided, and an occurredAt that is not an instant', () => {
    const done = { v: 1, type: 'RegistryExtractCompleted', eventId: 'c1', occurredAt: '2011-10-03T09:00:00.000Z', source: 'ONS' };
    expect(decode(outcomeEvent, JSON.stringify({ ...done, completeUpTo: '2011-09-30' })).ok).toBe(true);
    expect(decode(outcomeEvent, JSON.stringify({ ...done, completeUpTo: '2011-10-03' })).ok).toBe(true);
    const future = decode(outcomeEvent, JSON.stringify({ ...done, completeUpTo: '2099-12-31' }));
    expect(future).toEqual({ ok: false, error: { code: 'invalid-message', reason: 'completeUpTo: is after the date it was decided (occurredAt)' } });
    const corrected = { ...done, type: 'RegistryCompletenessCorrected', reason: 'r', correctedBy: 'admin' };
    expect(decode(outcomeEvent, JSON.stringify({ ...corrected, completeUpTo: '2011-01-01' })).ok).toBe(true);
    expect(decode(outcomeEvent, JSON.stringify({ ...corrected, completeUpTo: '2099-12-31' })).ok).toBe(false);
    expect(decode(outcomeEvent, JSON.stringify({ ...done, occurredAt: 'zzzz', completeUpTo: '2011-09-30' })).ok).toBe(false);
  });
});

describe('a trial design that has no boundaries', () => {
  const design = {
    v: 1,
    type: 'TrialRegistered',
    eventId: 't1',
    trialId: 'T',
    title: 'T',
    arms: ['A', 'B'],
    referenceArm: 'B',
    plannedEvents: 100,
    alpha: 0.05,
    sided: 2,
    looks: [0.5, 1],
    spending: 'obrien-fleming',
  };
  it('refuses looks that do not increase, naming the field', () => {
    expect(decode(enrollmentEvent, JSON.stringify(design)).ok).toBe(true);
    expect(decode(enrollmentEvent, JSON.stringify({ ...design, looks: [0.75, 0.5, 1] }))).toEqual({
      ok: false,
      error: { code: 'invalid-message', reason: 'looks: must increase' },
    });
    expect(decode(enrollmentEvent, JSON.stringify({ ...design, looks: [0.5, 0.5, 1] })).ok).toBe(false);
  });
});
