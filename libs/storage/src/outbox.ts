import { DataSource, EntityManager } from 'typeorm';
import { Producer } from 'kafkajs';
import { failureCode, sendInRequests } from '@trial/messaging';

export interface OutboxMessage {
  topic: string;
  key: string;
  value: unknown;
  /** Kafka headers to send with it (a dead letter's dlq-code and dlq-reason). */
  headers?: Record<string, string>;
}

/** Adds messages to the outbox inside the caller's transaction, beside the effect they announce. */
export async function enqueue(tx: EntityManager, messages: OutboxMessage[]): Promise<void> {
  if (!messages.length) return;
  const params: unknown[] = [];
  const rows = messages.map((m, i) => {
    params.push(m.topic, m.key, JSON.stringify(m.value), m.headers === undefined ? null : JSON.stringify(m.headers));
    return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}::jsonb, $${i * 4 + 4}::jsonb)`;
  });
  await tx.query(`insert into outbox (topic, key, value, headers) values ${rows.join(', ')}`, params);
}

type Log = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>) => void;

/**
 * Advisory lock held by the one relay pass that may publish (pg_try_advisory_xact_lock), across
 * every relay of every instance on this database.
 */
export const OUTBOX_RELAY_LOCK = 7261305;
const RELAY_IDLE_TIMEOUT_S = 120;

/**
 * The transactional outbox relay: publishes committed outbox rows to Kafka in id order and
 * marks them sent.
 *
 * Per-key order. Only one relay pass publishes at a time, whatever the number of instances:
 * each pass takes OUTBOX_RELAY_LOCK for its transaction before it selects, and a relay that
 * finds it taken tries again shortly. So a paused relay (a slow broker, a stopped process)
 * holds everyone up rather than letting another relay publish a later row of the same key
 * first; `for update skip locked` let relay B publish a patient's DeathWithdrawn while relay
 * A still held the DeathLinked before it. When the paused pass fails, its
 * transaction rolls back and the next pass resends its rows, still first.
 *
 * That makes the topic follow id order. It follows the order of decisions only because, for
 * any one key, ids are allocated in commit order: every writer that enqueues rows for the
 * same key must hold a lock, taken before its first enqueue and kept to commit, that the other
 * writers of that key also take (linkage: the per-patient sequence row, lk_outcome_seq, that
 * the applier updates before it enqueues; there is no scope lock). Then a row with a
 * higher id of that key cannot be visible while a lower one is still uncommitted. See
 * test/int/linkage/outbox-order.int-spec.ts.
 *
 * A crash between send and mark resends rows, which downstream consumers absorb because event
 * ids are deterministic and deduplicated (a resent row is byte-identical).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly producer: Producer,
    private readonly log: Log,
    private readonly pollMs = 200,
    private readonly batch = 500,
  ) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Asks for a pass now (called after a transaction that enqueued messages). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.pass();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private async pass(): Promise<void> {
    this.running = true;
    let sent: number | 'busy' = 0;
    try {
      do {
        this.again = false;
        sent = await this.sendSome();
      } while ((sent === this.batch || this.again) && sent !== 'busy' && !this.stopped);
    } catch (e) {
      this.log('warn', 'outbox relay failed; will retry', { error: failureCode(e) });
    } finally {
      this.running = false;
      // Another relay is publishing: try again soon, so rows this instance enqueued go out
      // right after that pass rather than a whole poll later.
      if (!this.stopped) this.timer = setTimeout(() => this.kick(), sent === 'busy' ? Math.min(this.pollMs, 25) : this.pollMs);
    }
  }

  /** One pass: the number of rows sent, or 'busy' when another relay holds the publishing lock. */
  private async sendSome(): Promise<number | 'busy'> {
    return this.ds.transaction(async (tx) => {
      const [lock] = (await tx.query('select pg_try_advisory_xact_lock($1) as ok', [OUTBOX_RELAY_LOCK])) as Array<{ ok: boolean }>;
      if (!lock.ok) return 'busy' as const;
      // A relay frozen mid-send (a stopped process) would hold the lock for good: Postgres ends
      // its session after this long idle in the transaction, well past kafkajs' own retries,
      // and another relay resends the rows. If the frozen one wakes and its send goes out after
      // all, those are byte-identical copies of events already published: deduplicated by id.
      await tx.query(`set local idle_in_transaction_session_timeout = '${RELAY_IDLE_TIMEOUT_S}s'`);
      const rows = (await tx.query(`select id, topic, key, value, headers from outbox where sent_at is null order by id limit $1`, [
        this.batch,
      ])) as Array<{ id: string; topic: string; key: string; value: unknown; headers: Record<string, string> | null }>;
      if (!rows.length) return 0;
      // In id order, in requests the broker accepts (a linkage dead letter can be ~350 KB).
      await sendInRequests(
        this.producer,
        rows.map((r) => ({
          topic: r.topic,
          key: r.key,
          value: JSON.stringify(r.value),
          ...(r.headers === null ? {} : { headers: r.headers }),
        })),
      );
      await tx.query(`update outbox set sent_at = now() where id = any($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
