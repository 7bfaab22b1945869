// Against the real Postgres. A batch whose clock started earlier but that reaches the trial's
// row lock later (partitions run concurrently) must not stamp its version before the previous
// one, or `?asOf=` of the newer look would find the older version.
import { DataSource } from 'typeorm';
import { PermanentError } from '@trial/messaging';
import { suiteDataSource, uniqueId } from '../../../test/support';
import { analysisAt } from './queries';
import { randomisedPatient, registeredTrial } from '../../../test/support/events';
import { testProjector } from '../../../test/support/projector';

describe('ReadModelProjector as-of stamps', () => {
  let ds: DataSource;
  suiteDataSource(2, (d) => (ds = d));

  it('stamps a version no earlier than the one before it, and asOf that stamp reads the newer version', async () => {
    const trialId = uniqueId('ASOF');
    const topic = `t-asof-${trialId}`;
    const registered = registeredTrial(trialId, 'as-of stamps');
    const randomised = (i: number) => randomisedPatient(trialId, i);
    // The second batch's clock reads 5 seconds before the first's, as if it had started first.
    const clock = ['2026-01-01T12:00:05.000Z', '2026-01-01T12:00:00.000Z'];
    const projector = testProjector(ds, `asof-${trialId}`, () => clock.shift() as string);
    await projector.apply({
      topic,
      partition: 0,
      lastOffset: '1',
      messages: [
        { offset: '0', value: registered },
        { offset: '1', value: randomised(1) },
      ],
    });
    await projector.apply({ topic, partition: 1, lastOffset: '0', messages: [{ offset: '0', value: randomised(2) }] });
    await projector.drain();

    const history = (await ds.query(`select version, recorded_at, events_applied from rm_readout_history where trial_id = $1 order by version`, [
      trialId,
    ])) as Array<{ version: string; recorded_at: Date; events_applied: string }>;
    expect(history.map((h) => [Number(h.version), h.recorded_at.toISOString(), Number(h.events_applied)])).toEqual([
      [1, '2026-01-01T12:00:05.000Z', 2],
      [2, '2026-01-01T12:00:05.000Z', 3],
    ]);
    const live = await analysisAt(ds, trialId, {}, {});
    expect(live.asOf).toBe('2026-01-01T12:00:05.000Z');
    expect(live.analysis.eventsApplied).toBe(3);
    const past = await analysisAt(ds, trialId, { asOf: live.asOf }, {});
    expect(past.analysis.eventsApplied).toBe(3);
    expect(past.analysis.pooled.ok && past.analysis.pooled.value.n).toBe(2);
  });

  it('applies partition batches handed over together in one transaction, each with its checkpoint; a refusal fails only its batch', async () => {
    const trialId = uniqueId('GROUP');
    const topic = `t-group-${trialId}`;
    const consumer = `group-${trialId}`;
    const registered = registeredTrial(trialId, 'group commit');
    const randomised = (i: number, arm = i % 2 ? 'IABP' : 'control') =>
      randomisedPatient(trialId, i, { arm, eventId: `${trialId}:rand-${i}-${arm}` });
    const projector = testProjector(ds, consumer, () => '2026-01-01T12:00:00.000Z');
    await projector.apply({ topic, partition: 0, lastOffset: '0', messages: [{ offset: '0', value: registered }] });
    const outs = await Promise.all(
      [1, 2, 3].map((p) =>
        projector.apply({
          topic,
          partition: p,
          lastOffset: '1',
          messages: [
            { offset: '0', value: randomised(2 * p) },
            { offset: '1', value: randomised(2 * p + 1) },
          ],
        }),
      ),
    );
    expect(outs.map((o) => [o.applied, o.duplicates])).toEqual([
      [2, 0],
      [2, 0],
      [2, 0],
    ]);
    // One version for the three batches: one transaction, not three serialised on the trial's row.
    const versions = (await ds.query(`select version from rm_readout_history where trial_id = $1 order by version`, [trialId])) as Array<{
      version: string;
    }>;
    expect(versions.map((v) => Number(v.version))).toEqual([1, 2]);
    const checkpoints = async () =>
      (
        (await ds.query(`select partition, "offset" from consumer_checkpoints where consumer = $1 and topic = $2 order by partition`, [
          consumer,
          topic,
        ])) as Array<{ partition: number; offset: string }>
      ).map((c) => [c.partition, Number(c.offset)]);
    expect(await checkpoints()).toEqual([
      [0, 0],
      [1, 1],
      [2, 1],
      [3, 1],
    ]);

    // P2 randomised again to the other arm is refused: only partition 5's batch fails, partition 4's commits.
    const settled = await Promise.allSettled([
      projector.apply({ topic, partition: 4, lastOffset: '0', messages: [{ offset: '0', value: randomised(8) }] }),
      projector.apply({ topic, partition: 5, lastOffset: '0', messages: [{ offset: '0', value: randomised(2, 'IABP') }] }),
    ]);
    expect(settled[0].status).toBe('fulfilled');
    expect(settled[1].status === 'rejected' && settled[1].reason instanceof PermanentError).toBe(true);
    expect(await checkpoints()).toEqual([
      [0, 0],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 0],
    ]); // partition 5: rolled back, no checkpoint
    // Redelivered, the whole group changes nothing: every message is at or below its checkpoint.
    await Promise.all(
      [1, 2, 3].map((p) => projector.apply({ topic, partition: p, lastOffset: '1', messages: [{ offset: '1', value: randomised(2 * p + 1) }] })),
    );
    await projector.drain();
    const live = await analysisAt(ds, trialId, {}, {});
    expect(live.analysis.eventsApplied).toBe(8);
    expect(live.analysis.pooled.ok && live.analysis.pooled.value.n).toBe(7);
  });
});
