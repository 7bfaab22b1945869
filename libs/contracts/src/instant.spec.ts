import { instant } from './common';

/**
 * `instant` reaches a Postgres timestamptz (ReviewDecided.occurredAt, lk_reviews.decided_at).
 * Every string it accepts must be one Postgres accepts, or the message is retried for good.
 */
describe('instant', () => {
  it.each([
    '2024-01-01T00:00:00.000Z',
    '2011-01-05T10:00:00Z',
    '2024-02-29T23:59:59.999999+01:00',
    '2024-01-01T00:00',
    '2024-01-01T12:30:00-0530',
    '9999-12-31T23:59:59.999999999-15:59',
  ])('accepts %s', (s) => {
    expect(instant.safeParse(s).success).toBe(true);
  });

  it.each([
    '2024-01-01T99:99',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:60:00Z',
    '2024-02-30T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T00:00:00Zgarbage',
    '2024-01-01T00:00 not a time',
    '2024-01-01T00:00:00+25:00',
    '2024-01-01T00:00:00+23:59', // Postgres allows offsets up to 15:59
  ])('refuses %s', (s) => {
    expect(instant.safeParse(s).success).toBe(false);
  });
});
