// The decode worker's batches: values packed into one buffer come back the same, in order, nulls
// and empty values included.
import { packValues, unpackValues } from './decode-protocol';

describe('packValues / unpackValues', () => {
  it('round-trips values in order, with nulls, empty values and multi-byte text', () => {
    const values = [Buffer.from('{"a":1}'), null, Buffer.alloc(0), Buffer.from('é😀'), Buffer.from('x'.repeat(70_000))];
    expect(unpackValues(packValues(values))).toEqual(values);
  });

  it('packs nothing as nothing', () => {
    expect(unpackValues(packValues([]))).toEqual([]);
  });
});
