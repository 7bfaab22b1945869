import fc from 'fast-check';
import { BatchBuilder, unpack } from './batch';

describe('BatchBuilder and unpack', () => {
  it('give back every key and value as UTF-8, in order, whatever their size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 700 })), { maxLength: 60 }),
        (pairs) => {
          // A first guess of 8 bytes a row: most batches outgrow it.
          const b = new BatchBuilder(4, 8);
          for (const [k, v] of pairs) b.add(k, v);
          const batch = b.take();
          expect(batch.count).toBe(pairs.length);
          const messages = unpack(batch);
          expect(messages.map((m) => [(m.key as Buffer).toString('utf8'), (m.value as Buffer).toString('utf8')])).toEqual(pairs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts afresh after take, the batch taken keeping its own memory, and counts dead letters', () => {
    const b = new BatchBuilder(2);
    b.add('ONS:1', '{"a":"é"}');
    b.addDeadLetter({ key: 'ingest:ONS:f:3', value: '{}', headers: { 'dlq-code': 'invalid-row' } });
    expect(b.count).toBe(2);
    const first = b.take();
    b.add('ONS:2', 'x'.repeat(5000));
    const second = b.take();
    expect(unpack(first).map((m) => (m.value as Buffer).toString())).toEqual(['{"a":"é"}']);
    expect(first.deadLetters).toEqual([{ key: 'ingest:ONS:f:3', value: '{}', headers: { 'dlq-code': 'invalid-row' } }]);
    expect(second.count).toBe(1);
    expect(second.deadLetters).toEqual([]);
    expect((unpack(second)[0].key as Buffer).toString()).toBe('ONS:2');
    expect(first.bytes.buffer).not.toBe(second.bytes.buffer);
    expect(b.take().count).toBe(0);
  });
});
