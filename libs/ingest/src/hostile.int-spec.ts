import { Writable } from 'node:stream';
import { RejectsWriter, WarningsWriter } from '@trial/registry';
import { hostileExtract } from '../../../bench/fuzz/files';
import { KAFKA_BROKERS, eventually, privateTopics, testKafka, uniqueId } from '../../../test/support';
import { ingestExtract } from './pipeline';

/**
 * Hostile files (a row over lines, a huge field, binary) through the pipeline `followup ingest` and
 * `POST /registry/extracts` share, against the real broker: each bad row is one reject at its
 * own line, every valid neighbour is published, memory stays flat through a 256 MB field, and
 * no personal value of the file reaches a reason, the DLQ or either report.
 */
describe('ingestExtract on hostile files', () => {
  const kafka = testKafka();

  async function readAll(topic: string, atLeast: number): Promise<Array<{ value: string; headers: string }>> {
    const consumer = kafka.consumer({ groupId: uniqueId('hostile-reader'), maxWaitTimeInMs: 100 });
    const out: Array<{ value: string; headers: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({
          value: message.value?.toString() ?? '',
          headers: JSON.stringify(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))),
        });
      },
    });
    try {
      await eventually(async () => (out.length >= atLeast ? true : undefined), `${atLeast} messages on ${topic}`, 30_000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await consumer.disconnect();
    }
    return out;
  }

  it('rejects each bad row at its line, publishes every valid one, and quotes no personal value', async () => {
    const { topics, drop } = await privateTopics(kafka, 'ingest-hostile');
    const file = hostileExtract(uniqueId('H'), 256 * 1024 * 1024);
    let rejectsText = '';
    let warningsText = '';
    const sink = (add: (s: string) => void) =>
      new Writable({
        write(chunk, _e, cb) {
          add(String(chunk));
          cb();
        },
      });
    const rejects = new RejectsWriter(sink((s) => (rejectsText += s)));
    const warnings = new WarningsWriter(sink((s) => (warningsText += s)));
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const s = await ingestExtract({
        input: file.input(),
        source: 'ONS',
        extractedOn: '2011-10-02',
        topics,
        rejects,
        warnings,
        thread: { brokers: KAFKA_BROKERS, clientId: 'ingest-hostile' },
        file: 'hostile.csv',
        clock: () => performance.now(),
        failedAt: new Date().toISOString(),
        onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)),
      });
      clearInterval(sampler);
      await rejects.close();
      await warnings.close();
      expect(s).toMatchObject({ published: file.valid.length, rejected: file.rejects.length, warnings: file.warned.length });
      expect(s.firstRejects.map((r) => ({ line: r.line, field: r.field }))).toEqual(file.rejects);
      const published = await readAll(topics.notifications, file.valid.length);
      expect(published.map((m) => (JSON.parse(m.value) as { recordId: string }).recordId).sort()).toEqual([...file.valid].sort());
      const dead = await readAll(`${topics.notifications}.dlq`, file.rejects.length);
      expect(dead).toHaveLength(file.rejects.length);
      // Item 9: the summary, the DLQ (values and headers) and both reports name fields and rules only.
      const said = [JSON.stringify(s), ...dead.map((d) => `${d.value} ${d.headers}`), rejectsText, warningsText].join('\n').toUpperCase();
      for (const id of file.identifiers) expect({ id, found: said.includes(id.toUpperCase()) }).toEqual({ id, found: false });
      // Item 8: a 256 MB field is read in constant memory (the line is never held; the growth is
      // mostly the publishing thread's start, the same with a small field).
      process.stdout.write(
        `hostile ingest: rss grew ${((peak - rssBefore) / 2 ** 20).toFixed(1)} MiB reading a ${file.hugeLineBytes / 2 ** 20} MiB field\n`,
      );
      expect(peak - rssBefore).toBeLessThan(96 * 2 ** 20);
    } finally {
      clearInterval(sampler);
      await drop();
    }
  }, 120_000);
});
