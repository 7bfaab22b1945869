import { decode, registryNotification } from '@trial/contracts';
import { correctionFor } from './corrections';

/** What a completeness-correction request becomes, or why it is refused. */
describe('correctionFor', () => {
  const who = { correctionId: 'c-1', correctedBy: 'registry-admin-1', now: '2026-12-01T09:00:00.000Z' };

  it('given a past date and a reason, then it is the notification linkage decodes, with who and when', () => {
    const c = correctionFor({ source: 'ONS', completeUpTo: '2011-09-30', reason: 'extract-complete of 2099-12-31 sent in error' }, who);
    expect(c).toEqual({
      ok: true,
      value: {
        v: 1,
        source: 'ONS',
        kind: 'completeness-correction',
        correctionId: 'c-1',
        completeUpTo: '2011-09-30',
        reason: 'extract-complete of 2099-12-31 sent in error',
        correctedBy: 'registry-admin-1',
        requestedAt: '2026-12-01T09:00:00.000Z',
      },
    });
    if (!c.ok) throw new Error('expected a correction');
    expect(decode(registryNotification, JSON.stringify(c.value))).toEqual({ ok: true, value: c.value });
  });

  it("given the caller's correctionId, then it is kept (a retry is applied once)", () => {
    const c = correctionFor({ source: 'NRS', completeUpTo: '2011-09-30', reason: 'wrong date', correctionId: 'ticket-42' }, who);
    expect(c.ok && c.value.correctionId).toBe('ticket-42');
  });

  it('given a date after today, then it is refused naming completeUpTo', () => {
    expect(correctionFor({ source: 'ONS', completeUpTo: '2026-12-02', reason: 'x' }, who)).toMatchObject({
      ok: false,
      error: { code: 'complete-up-to-in-future', field: 'completeUpTo' },
    });
    expect(correctionFor({ source: 'ONS', completeUpTo: '2026-12-01', reason: 'x' }, who).ok).toBe(true);
  });

  it.each([
    ['no reason', { source: 'ONS', completeUpTo: '2011-09-30' }, 'reason'],
    ['a blank reason', { source: 'ONS', completeUpTo: '2011-09-30', reason: '   ' }, 'reason'],
    ['an NHS number in the reason', { source: 'ONS', completeUpTo: '2011-09-30', reason: 'patient 943 476 5919 was wrong' }, 'reason'],
    ['an impossible date', { source: 'ONS', completeUpTo: '2011-02-30', reason: 'x' }, 'completeUpTo'],
    ['an unknown registry', { source: 'GRO', completeUpTo: '2011-09-30', reason: 'x' }, 'source'],
    ['an unknown field', { source: 'ONS', completeUpTo: '2011-09-30', reason: 'x', correctedBy: 'someone-else' }, null],
  ])('given %s, then it is an invalid request naming the field', (_what, body, field) => {
    const c = correctionFor(body, who);
    expect(c).toMatchObject({ ok: false, error: { code: 'invalid-request', field } });
  });
});
