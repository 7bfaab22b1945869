import { randomBytes } from 'node:crypto';
import { messageDeadLetter, rowDeadLetter } from '@trial/contracts';
import {
  DLQ_KEY_CAP,
  DLQ_ORIGINAL_CAP,
  DLQ_REASON_CAP,
  DeadLetter,
  deadLetterMessage,
  mustPark,
  prepareDeadLetters,
  rowDeadLetterMessage,
} from './dead-letters';

const letter = (original: Buffer | null, extra: Partial<DeadLetter> = {}): DeadLetter => ({
  consumer: 'linkage',
  topic: 'registry.notifications',
  partition: 2,
  offset: '41',
  key: 'ONS:1',
  code: 'invalid-json',
  reason: 'not JSON',
  original,
  ...extra,
});
const at = '2026-12-01T10:00:00.000Z';

describe('deadLetterMessage', () => {
  it('keeps the JSON shape, with the original as base64 that round-trips byte for byte', () => {
    const bytes = randomBytes(200 * 1024);
    const m = deadLetterMessage(letter(bytes), at, null);
    expect(m.topic).toBe('registry.notifications.dlq');
    expect(m.key).toBe('registry.notifications:2:41');
    expect(m.value).toMatchObject({
      code: 'invalid-json',
      reason: 'not JSON',
      consumer: 'linkage',
      failedAt: at,
      source: { topic: 'registry.notifications', partition: 2, offset: '41', key: 'ONS:1' },
      originalBytes: bytes.length,
      parkedId: null,
    });
    const back = Buffer.from(JSON.parse(JSON.stringify(m.value)).originalBase64, 'base64');
    expect(back.equals(bytes)).toBe(true);
    expect(m.headers).toEqual({ 'dlq-reason': 'not JSON', 'dlq-code': 'invalid-json' });
    expect(messageDeadLetter.parse(JSON.parse(JSON.stringify(m.value)))).toEqual(JSON.parse(JSON.stringify(m.value)));
  });

  it("builds a rejected row's letter by the same schema and headers, capped, keyed by file and line", () => {
    const m = rowDeadLetterMessage(
      {
        consumer: 'ingest',
        code: 'invalid-row',
        registry: 'ONS',
        file: 'x.csv',
        line: 12,
        field: 'DOD',
        reason: 'is required for a death',
        recordId: `D-${'9'.repeat(300)}`,
      },
      at,
      200,
    );
    expect(m.key).toBe('ingest:ONS:x.csv:12');
    expect(m.headers).toEqual({ 'dlq-reason': 'DOD: is required for a death', 'dlq-code': 'invalid-row' });
    const value = rowDeadLetter.parse(JSON.parse(m.value));
    expect(value).toMatchObject({
      code: 'invalid-row',
      consumer: 'ingest',
      failedAt: at,
      source: { file: 'x.csv', line: 12, field: 'DOD' },
      original: null,
    });
    expect(value.source.recordId).toHaveLength(200);
  });

  it('stays far under 1 MB at the cap, with the longest reason and key fully escaped', () => {
    const worst = '\u0001'.repeat(5_000);
    const m = deadLetterMessage(letter(randomBytes(DLQ_ORIGINAL_CAP), { reason: worst, key: worst }), at, null);
    expect(m.value.reason).toHaveLength(DLQ_REASON_CAP);
    expect(m.value.source.key).toHaveLength(DLQ_KEY_CAP);
    expect(Buffer.byteLength(JSON.stringify(m.value))).toBeLessThan(400 * 1024);
  });

  it('requires a park id exactly when the original is over the cap, and then carries no bytes', () => {
    expect(mustPark(Buffer.alloc(DLQ_ORIGINAL_CAP))).toBe(false);
    expect(mustPark(Buffer.alloc(DLQ_ORIGINAL_CAP + 1))).toBe(true);
    expect(mustPark(null)).toBe(false);
    const big = Buffer.alloc(600 * 1024, 'a');
    expect(() => deadLetterMessage(letter(big), at, null)).toThrow(/parked/);
    expect(() => deadLetterMessage(letter(Buffer.from('x')), at, '7')).toThrow(/parked/);
    const m = deadLetterMessage(letter(big), at, '7');
    expect(m.value).toMatchObject({ originalBase64: null, originalBytes: big.length, parkedId: '7' });
    expect(Buffer.byteLength(JSON.stringify(m.value))).toBeLessThan(4096);
  });

  it('holds no NUL in its text (Postgres text and jsonb refuse it), while the original keeps every byte', () => {
    const original = Buffer.from('a\u0000b');
    const m = deadLetterMessage(letter(original, { key: 'k\u0000', reason: 'bad \u0000 here', code: 'c\u0000' }), at, null);
    expect(JSON.stringify(m.value)).not.toContain('\\u0000');
    expect(m.value.source.key).toBe('k\uFFFD');
    expect(m.value.reason).toBe('bad \uFFFD here');
    expect(Buffer.from(m.value.originalBase64!, 'base64').equals(original)).toBe(true);
  });

  it('records a message with no value as such', () => {
    expect(deadLetterMessage(letter(null), at, null).value).toMatchObject({ originalBase64: null, originalBytes: null, parkedId: null });
  });
});

describe('prepareDeadLetters', () => {
  it('parks only the oversized originals', async () => {
    const parked: string[] = [];
    const out = await prepareDeadLetters([letter(Buffer.from('{}')), letter(Buffer.alloc(DLQ_ORIGINAL_CAP + 1), { offset: '42' })], at, async (l) => {
      parked.push(l.offset);
      return '99';
    });
    expect(parked).toEqual(['42']);
    expect(out.map((m) => m.value.parkedId)).toEqual([null, '99']);
  });
});
