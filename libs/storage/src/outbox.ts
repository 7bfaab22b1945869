import { DataSource, EntityManager } from 'typeorm';
import { Producer } from 'kafkajs';

export interface OutboxMessage {
  topic: string;
  key: string;
  value: unknown;
}

/** Adds messages to the outbox inside the caller's transaction, beside the effect they announce. */
export async function enqueue(tx: EntityManager, messages: OutboxMessage[]): Promise<void> {
  if (!messages.length) return;
  const params: unknown[] = [];
  const rows = messages.map((m, i) => {
    params.push(m.topic, m.key, JSON.stringify(m.value));
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
  });
  await tx.query(`insert into outbox (topic, key, value) values ${rows.join(', ')}`, params);
}

type Log = (level: 'error' | 'warn' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>) => void;

/**
 * The transactional outbox relay: publishes committed outbox rows to Kafka in id order and
 * marks them sent. Rows are locked while being sent, so two relays never send the same row
 * concurrently; a crash between send and mark resends it, which downstream consumers absorb
 * because event ids are deterministic and deduplicated.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(private readonly ds: DataSource, private readonly producer: Producer, private readonly log: Log,
    private readonly pollMs = 200, private readonly batch = 500) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Asks for a pass now (called after a transaction that enqueued messages). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
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
    let sent = 0;
    try {
      do {
        this.again = false;
        sent = await this.sendSome();
      } while ((sent === this.batch || this.again) && !this.stopped);
    } catch (e) {
      this.log('warn', 'outbox relay failed; will retry', { error: (e as Error).message });
    } finally {
      this.running = false;
      if (!this.stopped) this.timer = setTimeout(() => this.kick(), this.pollMs);
    }
  }

  private async sendSome(): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const rows = (await tx.query(
        `select id, topic, key, value from outbox where sent_at is null order by id limit $1 for update skip locked`,
        [this.batch])) as Array<{ id: string; topic: string; key: string; value: unknown }>;
      if (!rows.length) return 0;
      const byTopic = new Map<string, Array<{ key: string; value: string }>>();
      for (const r of rows) {
        const list = byTopic.get(r.topic) ?? [];
        list.push({ key: r.key, value: JSON.stringify(r.value) });
        byTopic.set(r.topic, list);
      }
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      await tx.query(`update outbox set sent_at = now() where id = any($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
