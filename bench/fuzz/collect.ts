import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { dlqOf, TopicNames } from '@trial/contracts';
import { CONSUMERS, ConsumerName, LOGICAL } from './plan';
import { positionKey } from './publish';

/** One record read back from a `<topic>.dlq`, reduced to what the checks need. */
export interface DeadLetterSeen {
  /** `<topic>:<partition>:<offset>` of the message it stands for, from its `source`. */
  source: string | null;
  consumer: string | null;
  code: string | null;
  reason: string | null;
  /** Where the record itself is (for a report): `<dlq>:<offset>`. */
  at: string;
  bytes: number;
}

/** One row of a Postgres park table (dead letters too large for the DLQ, outcomes of unregistered trials). */
export interface ParkedSeen {
  table: string;
  source: string | null;
  /** The parked event itself, for a table that keeps the event rather than its position (rm_parked). */
  event: unknown;
  consumer: string | null;
  reason: string | null;
}

/** Every record now on the four DLQs, read from the beginning up to the high watermark taken first. */
export async function readDeadLetters(
  kafka: Kafka,
  topics: TopicNames,
  timeoutMs = 60_000,
): Promise<{ letters: DeadLetterSeen[]; unreadable: string[] }> {
  const dlqs = LOGICAL.map((l) => dlqOf(topics[l]));
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const t of dlqs)
      for (const p of await admin.fetchTopicOffsets(t)) if (BigInt(p.high) > 0n) remaining.set(`${t}:${p.partition}`, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const letters: DeadLetterSeen[] = [];
  const unreadable: string[] = [];
  if (!remaining.size) return { letters, unreadable };
  const consumer = kafka.consumer({
    groupId: `fuzz-dlq-reader-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  let done!: () => void;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: dlqs, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const at = `${topic}:${message.offset}`;
        try {
          const v = JSON.parse(message.value?.toString('utf8') ?? 'null') as {
            source?: { topic?: string; partition?: number; offset?: string | number };
            consumer?: string;
            code?: string;
            reason?: string;
          };
          const s = v?.source;
          letters.push({
            source:
              s?.topic !== undefined && s.partition !== undefined && s.offset !== undefined ? positionKey(s.topic, s.partition, s.offset) : null,
            consumer: v?.consumer ?? null,
            code: v?.code ?? null,
            reason: v?.reason ?? null,
            at,
            bytes: message.value?.length ?? 0,
          });
        } catch {
          unreadable.push(at);
        }
        const k = `${topic}:${partition}`;
        if (remaining.has(k) && BigInt(message.offset) + 1n >= remaining.get(k)!) remaining.delete(k);
        if (!remaining.size) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error(`DLQs not read to their end within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return { letters, unreadable };
}

/**
 * Rows of every park table in the database (a table whose name says park), each reduced to its
 * source position, consumer and reason by column name, since the park tables are other
 * helpers' migrations: a column ending in topic / partition / offset, or a jsonb `source`.
 */
export async function readParked(db: Client): Promise<{ tables: string[]; rows: ParkedSeen[] }> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = current_schema() and table_name like '%park%' order by table_name`,
  );
  const out: ParkedSeen[] = [];
  for (const { table_name } of tables) {
    const { rows } = await db.query<{ r: Record<string, unknown> }>(`select row_to_json(t) as r from ${quoteIdent(table_name)} t`);
    for (const { r } of rows) out.push(parkedRow(table_name, r));
  }
  return { tables: tables.map((t) => t.table_name), rows: out };
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export function parkedRow(table: string, r: Record<string, unknown>): ParkedSeen {
  const col = (re: RegExp) => Object.keys(r).find((k) => re.test(k));
  const src = (r.source ?? null) as { topic?: string; partition?: number; offset?: string | number } | null;
  const topic = src?.topic ?? (col(/(^|_)topic$/) ? r[col(/(^|_)topic$/)!] : undefined);
  const partition = src?.partition ?? (col(/(^|_)partition$/) ? r[col(/(^|_)partition$/)!] : undefined);
  const offset = src?.offset ?? (col(/(^|_)offset$/) ? r[col(/(^|_)offset$/)!] : undefined);
  const reasonCol = col(/reason/) ?? col(/(^|_)code$/);
  const consumerCol = col(/consumer/);
  return {
    table,
    source:
      typeof topic === 'string' && partition !== undefined && partition !== null && offset !== undefined && offset !== null
        ? positionKey(topic, Number(partition), String(offset))
        : null,
    event: r.event ?? null,
    consumer: consumerCol && typeof r[consumerCol] === 'string' ? (r[consumerCol] as string) : null,
    reason: reasonCol && r[reasonCol] !== null && r[reasonCol] !== undefined ? String(r[reasonCol]) : null,
  };
}

export interface GroupSeen {
  groupId: string;
  state: string;
  members: number;
  /** Messages on its input topics not yet committed by the group. */
  lag: number;
}

/** The two consumer groups (state, members, lag on their input topics). */
export async function readGroups(kafka: Kafka, prefix: string, topics: TopicNames): Promise<GroupSeen[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names: ConsumerName[] = ['linkage', 'projector'];
    const { groups } = await admin.describeGroups(names.map((n) => `${prefix}${n}`));
    const out: GroupSeen[] = [];
    for (const name of names) {
      const groupId = `${prefix}${name}`;
      const g = groups.find((x) => x.groupId === groupId);
      const inputs = LOGICAL.filter((l) => CONSUMERS[l].includes(name)).map((l) => topics[l]);
      let lag = 0;
      const committed = await admin.fetchOffsets({ groupId, topics: inputs });
      for (const t of inputs) {
        const high = await admin.fetchTopicOffsets(t);
        const mine = committed.find((c) => c.topic === t);
        for (const p of high) {
          const c = mine?.partitions.find((x) => x.partition === p.partition);
          const at = c && Number(c.offset) >= 0 ? Number(c.offset) : 0;
          lag += Math.max(0, Number(p.high) - at);
        }
      }
      out.push({ groupId, state: g?.state ?? 'Unknown', members: g?.members.length ?? 0, lag });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

export async function unsentOutbox(db: Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`select count(*) as n from outbox where sent_at is null`);
  return Number(rows[0].n);
}
