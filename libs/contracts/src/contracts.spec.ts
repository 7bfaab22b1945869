import fc from 'fast-check';
import { decode, enrollmentEvent, registryNotification, outcomeEvent, daysBetween, addDays, isRealDate } from './index';
import { ONS_DEATH, RANDOMISED } from '../../../test/support/feeds';

describe('contracts', () => {
  it('accepts the feeds.md PatientRandomised example', () => {
    const r = decode(enrollmentEvent, JSON.stringify(RANDOMISED));
    expect(r.ok).toBe(true);
  });

  it('names the field that is wrong', () => {
    const r = decode(
      enrollmentEvent,
      JSON.stringify({ v: 1, type: 'PatientSeenAlive', eventId: 'e', trialId: 'T', patientId: 'P', seenOn: '2009-02-30' }),
    );
    expect(r).toEqual({ ok: false, error: { code: 'invalid-message', reason: 'seenOn: is not a real calendar date' } });
  });

  it('rejects non-JSON with its reason', () => {
    const r = decode(outcomeEvent, Buffer.from('{nope'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-json');
  });

  it('accepts the feeds.md notification and extract-complete examples', () => {
    const death = ONS_DEATH;
    expect(decode(registryNotification, JSON.stringify(death)).ok).toBe(true);
    expect(decode(registryNotification, JSON.stringify({ v: 1, source: 'NRS', kind: 'extract-complete', completeUpTo: '2011-09-30' })).ok).toBe(true);
    const bad = decode(registryNotification, JSON.stringify({ ...death, dateOfDeath: '1930-01-01' }));
    expect(bad.ok).toBe(false);
  });

  it('counts civil days', () => {
    expect(daysBetween('2006-03-14', '2006-03-15')).toBe(1);
    expect(daysBetween('2008-02-28', '2008-03-01')).toBe(2);
    expect(addDays('2008-02-28', 2)).toBe('2008-03-01');
    expect(isRealDate('2008-02-29')).toBe(true);
    expect(isRealDate('2009-02-29')).toBe(false);
    expect(isRealDate('1900-02-29')).toBe(false);
    expect(isRealDate('2000-02-29')).toBe(true);
    expect(isRealDate('2009-13-01')).toBe(false);
    expect(isRealDate('2009-1-01')).toBe(false);
  });

  it('agrees with the calendar of Date.UTC on any YYYY-MM-DD', () => {
    // The oracle: the date survives a round trip through Date.UTC.
    const byDate = (y: number, m: number, d: number): boolean => {
      const t = new Date(Date.UTC(y, m - 1, d));
      return y >= 100 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
    };
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), (y, m, d) => {
        expect(isRealDate(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`)).toBe(byDate(y, m, d));
      }),
      { numRuns: 20000 },
    );
  });
});
