import { decode, enrollmentEvent, outcomeEvent, registryNotification } from './index';

/**
 * Strings are bounded so that a schema-valid message can always be stored. Unbounded, a 10 kB
 * patientId passed decode and then failed in Postgres (an index row holds ~2.7 kB); database
 * failures are retried as environmental, so that one message held its consumer for good.
 */
describe('string bounds', () => {
  const randomised = {
    v: 1, type: 'PatientRandomised', eventId: 'e1', trialId: 'BCIS-1', patientId: 'BCIS1-0001', arm: 'IABP',
    randomisedOn: '2006-03-14', site: 'KCH', nhsNumber: '9434765919', chiNumber: null, dateOfBirth: '1941-02-03',
    sex: 'M', familyName: 'Smith', givenNames: 'John Paul', postcode: 'SE1 7EH',
  };
  const death = {
    v: 1, source: 'ONS', recordId: 'D2009-000123', version: 1, kind: 'death', extractedOn: '2011-10-02',
    nhsNumber: '9434765919', chiNumber: null, dateOfBirth: '1941-02-03', sex: 'M', familyName: 'SMITH',
    givenNames: 'JOHN PAUL', postcode: 'SE1 7EH', dateOfDeath: '2009-06-30', dateOfRegistration: '2009-07-06',
    underlyingCause: 'I21.9', placeOfDeath: 'hospital', eventDate: null,
  };
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
    const linked = {
      v: 1, type: 'DeathLinked', eventId: 'o1', trialId: 'T', patientId: long, occurredAt: '2026-01-01T00:00:00.000Z',
      source: 'ONS', recordId: 'R', version: 1, dateOfDeath: '2009-06-30', underlyingCause: null,
      evidence: { method: 'deterministic', modelVersion: 'm', weight: null, fields: {} },
    };
    expect(decode(outcomeEvent, JSON.stringify(linked)).ok).toBe(false);
    expect(decode(outcomeEvent, JSON.stringify({ ...linked, patientId: 'P' })).ok).toBe(true);
  });

  it('keeps real values: the feeds.md examples and a long but real name', () => {
    expect(decode(enrollmentEvent, JSON.stringify({ ...randomised, givenNames: 'Anne Marie Louise Victoria Elizabeth Charlotte' })).ok).toBe(true);
    expect(decode(registryNotification, JSON.stringify({ ...death, nhsNumber: '943 476 5919' })).ok).toBe(true);
  });
});
