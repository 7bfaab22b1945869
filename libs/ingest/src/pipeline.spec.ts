import { Readable, Writable } from 'node:stream';
import { Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { deadLetterRecord, topicNames } from '@trial/contracts';
import { WarningsWriter } from '@trial/registry';
import { IngestError, ingestExtract } from './pipeline';
import { ONS_HEADER, onsLine, validNhs } from '../../../test/support/registry-rows';

const HEADER = ONS_HEADER;

const nhs = validNhs;
const row = (id: string, i: number, over: { version?: number; nhs?: string; type?: string } = {}) =>
  onsLine({
    RECORD_ID: id,
    RECORD_VERSION: String(over.version ?? 1),
    NOTIFICATION_TYPE: over.type ?? 'D',
    DEC_CONF_NHS_NUMBER: over.nhs ?? nhs(400_000_000 + i * 7),
    DEC_FORENAMES: 'JOHN',
    POD_CODE: 'H',
  });

type Call = { kind: 'batch'; topics: Record<string, Message[]> } | { kind: 'send'; topic: string; messages: Message[] };

/**
 * A stand-in producer that records what it is asked to send, acknowledges each request on a
 * later turn of the event loop (as a broker would), can fail the nth batch, and counts requests
 * in flight at once.
 */
function fakeProducer(failBatch: number | null = null) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const ack = async <T>(fail: boolean, result: T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    if (fail) throw Object.assign(new Error('broker says no'), { name: 'KafkaJSProtocolError' });
    return result;
  };
  let batches = 0;
  const producer = {
    sendBatch: (b: ProducerBatch): Promise<RecordMetadata[]> => {
      expect(b.acks).toBe(-1);
      calls.push({ kind: 'batch', topics: Object.fromEntries((b.topicMessages ?? []).map((t) => [t.topic, t.messages])) });
      return ack(++batches === failBatch, []);
    },
    send: (r: ProducerRecord): Promise<RecordMetadata[]> => {
      expect(r.acks).toBe(-1);
      calls.push({ kind: 'send', topic: r.topic, messages: r.messages });
      return ack(false, []);
    },
  };
  return { producer: producer as unknown as Producer, calls, maxInFlight: () => maxInFlight };
}

const text = (b: Message['value'] | Message['key']): string => (b === null || b === undefined ? '' : b.toString());
const topics = topicNames('u-');
const base = { source: 'ONS' as const, extractedOn: '2011-10-02', topics, file: 'x.csv', clock: () => 0, failedAt: '2011-10-02T00:00:00.000Z' };

describe('ingestExtract (publishing through a given producer)', () => {
  it('sends batches one at a time in file order, dead letters the bad rows, publishes the warned one, and extract-complete last', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `D-${i}`);
    const lines = [
      HEADER,
      ...ids.map((id, i) => row(id, i)),
      row('D-bad', 99, { type: 'X' }),
      row('D-3', 3, { version: 2 }),
      row('D-warn', 50, { nhs: '9434765918' }),
      'only,three,cells',
    ];
    const fake = fakeProducer();
    let report = '';
    const warnings = new WarningsWriter(
      new Writable({
        write(chunk, _e, cb) {
          report += String(chunk);
          cb();
        },
      }),
    );
    const s = await ingestExtract({
      ...base,
      input: Readable.from([lines.join('\n') + '\n']),
      producer: fake.producer,
      completeUpTo: '2011-09-30',
      batchSize: 3,
      warnings,
    });
    expect(s).toMatchObject({ rows: 14, published: 12, rejected: 2, warnings: 1, extractComplete: true, layout: 'ons' });
    // A warning is counted apart from the rejects, and its row is published.
    expect(s.firstWarnings).toEqual([{ line: 14, field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }]);
    await warnings.close();
    expect(report).toBe('line,field,reason\n14,DEC_CONF_NHS_NUMBER,fails the Modulus 11 check\n');
    expect(s.firstRejects.map((r) => [r.line, r.field])).toEqual([
      [12, 'NOTIFICATION_TYPE'],
      [15, '(row)'],
    ]);
    expect(fake.maxInFlight()).toBe(1);
    const last = fake.calls[fake.calls.length - 1];
    expect(last).toMatchObject({ kind: 'send', topic: topics.notifications });
    expect(last.kind === 'send' && JSON.parse(text(last.messages[0].value))).toEqual({
      v: 1,
      source: 'ONS',
      kind: 'extract-complete',
      completeUpTo: '2011-09-30',
      extractedOn: '2011-10-02',
    });
    const batches = fake.calls.filter((c): c is Extract<Call, { kind: 'batch' }> => c.kind === 'batch');
    expect(batches.length).toBe(5);
    const sent = batches.flatMap((b) => b.topics[topics.notifications] ?? []);
    expect(sent.map((m) => text(m.key))).toEqual([...ids, 'D-3', 'D-warn'].map((id) => `ONS:${id}`));
    const records = sent.map((m) => JSON.parse(text(m.value)) as { recordId: string; version: number; nhsNumber: string });
    expect(records[10]).toMatchObject({ recordId: 'D-3', version: 2 });
    expect(records[11]).toMatchObject({
      recordId: 'D-warn',
      nhsNumber: '9434765918',
      identifierWarnings: [{ field: 'nhsNumber', reason: 'fails the Modulus 11 check' }],
    });
    expect(records[0]).toMatchObject({ v: 1, source: 'ONS', kind: 'death', dateOfDeath: '2009-06-30', extractedOn: '2011-10-02' });
    const dead = batches.flatMap((b) => b.topics[`${topics.notifications}.dlq`] ?? []);
    expect(dead.map((m) => [text(m.key), (JSON.parse(text(m.value)) as { source: { line: number } }).source.line])).toEqual([
      ['ingest:ONS:x.csv:12', 12],
      ['ingest:ONS:x.csv:15', 15],
    ]);
    expect(dead[0].headers).toMatchObject({ 'dlq-code': 'invalid-row' });
    // The one dead-letter schema, which every other copy follows too.
    for (const m of dead) expect(deadLetterRecord.safeParse(JSON.parse(text(m.value))).success).toBe(true);
  });

  it("keeps a rejected row's dead letter small whatever the row held (a 300 kB record id)", async () => {
    const huge = `D-${'9'.repeat(300_000)}`;
    const lines = [HEADER, row(huge, 1)];
    const fake = fakeProducer();
    const s = await ingestExtract({ ...base, input: Readable.from([lines.join('\n') + '\n']), producer: fake.producer, completeUpTo: '2011-09-30' });
    expect(s).toMatchObject({ rows: 1, published: 0, rejected: 1 });
    const dead = fake.calls.flatMap((c) => (c.kind === 'batch' ? (c.topics[`${topics.notifications}.dlq`] ?? []) : []));
    expect(dead).toHaveLength(1);
    expect(text(dead[0].value).length).toBeLessThan(4_000);
  });

  it('stops at a failed batch: nothing after it is sent and completeness is not claimed', async () => {
    const lines = [HEADER, ...Array.from({ length: 12 }, (_, i) => row(`D-${i}`, i))];
    const fake = fakeProducer(2);
    await expect(
      ingestExtract({ ...base, input: Readable.from([lines.join('\n') + '\n']), producer: fake.producer, completeUpTo: '2011-09-30', batchSize: 3 }),
    ).rejects.toThrow('broker says no');
    expect(fake.calls.map((c) => c.kind)).toEqual(['batch', 'batch']);
  });

  it('refuses an extract of the other registry before sending anything', async () => {
    const fake = fakeProducer();
    await expect(
      ingestExtract({
        ...base,
        source: 'NRS',
        input: Readable.from([`${HEADER}\n${row('D-1', 1)}\n`]),
        producer: fake.producer,
        completeUpTo: '2011-09-30',
      }),
    ).rejects.toBeInstanceOf(IngestError);
    expect(fake.calls).toEqual([]);
  });
});
