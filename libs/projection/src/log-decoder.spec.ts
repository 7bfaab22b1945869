// The log's decode worker (a real worker thread, no broker or database): batches come back to
// the fold in the order they were submitted, each event with its content hash; what does not
// decode is counted, not handed on; a fold that throws ends the read with its error.
import { contentHash } from '@trial/contracts';
import type { LogEvent } from '@trial/readmodel';
import { registeredTrial } from '../../../test/support/events';
import { LogDecoder } from './log-decoder';

const registered = (t: number) => registeredTrial(`DEC-${t}`, 'decoder', { eventId: `dec-reg-${t}` });
const value = (x: unknown) => Buffer.from(JSON.stringify(x));

describe('LogDecoder', () => {
  it('hands each batch on in submission order with content hashes, and counts what does not decode', async () => {
    const got: Array<{ events: readonly LogEvent[]; hashes: readonly string[] }> = [];
    const decoder = new LogDecoder((events, hashes) => got.push({ events, hashes }), undefined, 2);
    try {
      for (let b = 0; b < 6; b++) {
        await decoder.submit('enrollments', [
          value(registered(2 * b)),
          Buffer.from('not json'),
          null,
          value({ v: 1, type: 'Unknown' }),
          value(registered(2 * b + 1)),
        ]);
      }
      expect(await decoder.finish()).toBe(18);
    } finally {
      await decoder.close();
    }
    expect(got.flatMap((g) => g.events.map((e) => e.eventId))).toEqual(Array.from({ length: 12 }, (_, i) => `dec-reg-${i}`));
    for (const g of got) expect(g.hashes).toEqual(g.events.map((e) => contentHash(e)));
  });

  it('ends with the error of a fold that throws, and tells onFailure', async () => {
    const failures: string[] = [];
    const decoder = new LogDecoder(
      () => {
        throw new Error('fold failed');
      },
      (e) => failures.push(e.message),
    );
    try {
      await decoder.submit('enrollments', [value(registered(1))]);
      await expect(decoder.finish()).rejects.toThrow('fold failed');
    } finally {
      await decoder.close();
    }
    expect(failures).toEqual(['fold failed']);
  });
});
