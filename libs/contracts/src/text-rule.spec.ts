// One text rule for every string field of every message, in the schemas that
// ingest validates rows with and that every consumer decodes with, so no consumer accepts what
// another refuses. The reason names the field and the rule, never the value.
import { decode, enrollmentEvent, registryNotification, reviewDecided, textProblem, TEXT_RULE } from './index';
import { ONS_DEATH, RANDOMISED } from '../../../test/support/feeds';

const randomised = (over: Record<string, unknown>) => JSON.stringify({ ...RANDOMISED, ...over });
const death = (over: Record<string, unknown>) => JSON.stringify({ ...ONS_DEATH, ...over });

/** Names that break the rule, and the part of it they break. */
export const BROKEN: Array<[string, string]> = [
  ['Sm\u0000ith', TEXT_RULE.control],
  ['Smith\u0001', TEXT_RULE.control],
  ['Sm\u001bith', TEXT_RULE.control],
  ['Smith\u007f', TEXT_RULE.control],
  ['Smi\u0085th', TEXT_RULE.control],
  ['Smi\u009bth', TEXT_RULE.control],
  ['Smith\tJones', TEXT_RULE.control],
  ['Smith\nJones', TEXT_RULE.control],
  ['Smith\ud800', TEXT_RULE.surrogate],
  ['\udc00Smith', TEXT_RULE.surrogate],
];

/** Names however unusual, all valid: right-to-left, combining marks, emoji, at the bound. */
export const UNUSUAL: string[] = [
  'عبد الله',
  'כהן',
  'Nguye\u0302\u0303n',
  'Zoe\u0308',
  '李',
  'O\u2019Brien',
  'Smith \u{1F600}',
  'Ávila-Núñez',
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
  'ß'.repeat(200),
  'x'.repeat(199) + '\u00e9',
];

describe('the text rule', () => {
  it.each(BROKEN)('refuses %j in a name of every topic, naming the field and the rule', (name, rule) => {
    const cases = [
      [decode(enrollmentEvent, randomised({ familyName: name })), 'familyName'],
      [decode(enrollmentEvent, randomised({ givenNames: name })), 'givenNames'],
      [decode(registryNotification, death({ familyName: name })), 'familyName'],
      [decode(enrollmentEvent, randomised({ patientId: name })), 'patientId'],
      [decode(registryNotification, death({ recordId: name })), 'recordId'],
    ] as const;
    for (const [r, field] of cases) {
      expect(r).toEqual({ ok: false, error: { code: 'invalid-message', reason: `${field}: ${rule}` } });
    }
  });

  it.each(UNUSUAL)('accepts the name %j as it is', (name) => {
    const r = decode(enrollmentEvent, randomised({ familyName: name, givenNames: name }));
    expect(r).toMatchObject({ ok: true, value: { familyName: name, givenNames: name } });
    expect(decode(registryNotification, death({ familyName: name })).ok).toBe(true);
  });

  it('allows tab and line breaks in free text only', () => {
    expect(textProblem('a\tb\r\nc', true)).toBeNull();
    expect(textProblem('a\tb', false)).toBe(TEXT_RULE.control);
    expect(textProblem('a\u0000b', true)).toBe(TEXT_RULE.control);
    const decided = (note: string) => ({
      v: 1,
      type: 'ReviewDecided',
      eventId: 'e',
      occurredAt: '2026-01-01T00:00:00.000Z',
      reviewId: 'r',
      decision: 'reject',
      patientId: null,
      reviewer: 'dr',
      note,
    });
    expect(reviewDecided.safeParse(decided('line one\n\tline two')).success).toBe(true);
    expect(reviewDecided.safeParse(decided('line one\u0000')).success).toBe(false);
  });
});
