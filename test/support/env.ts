import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AppConfig, loadConfig } from '@trial/config';
import { TopicNames, topicNames, topicSpecs } from '@trial/contracts';
import { deleteTopics, ensureTopics } from '@trial/messaging';

// .infra/pg.env names the development database's owner for migrations; a suite passes its own
// DATABASE_URL (a test database), which that owner URL must not be paired with (loadConfig refuses it).
delete process.env.MIGRATION_DATABASE_URL;

/** The real broker and the test database (scripts/test.sh brings both up). */
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trial_followup_test';

export function testKafka(clientId = 'test'): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  return new Kafka({ clientId, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
}

/** A private set of topics for one suite, so suites never read each other's messages. */
export async function privateTopics(kafka: Kafka, label: string): Promise<{ prefix: string; topics: TopicNames; drop: () => Promise<void> }> {
  const prefix = `t-${label}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}-`;
  const topics = topicNames(prefix);
  const specs = topicSpecs(topics, 3);
  await ensureTopics(kafka, specs);
  return {
    prefix,
    topics,
    drop: () =>
      deleteTopics(
        kafka,
        specs.map((s) => s.topic),
      ),
  };
}

/**
 * A database of the suite's own on the test server, for state that is global to a database
 * (registry completeness, the active linkage model): another suite must not move it.
 * `create` makes it, `drop` removes it even while connections remain.
 */
export function privateDatabase(label: string): { name: string; url: string; create: () => Promise<void>; drop: () => Promise<void> } {
  // Named after the test database too, so two runs on one server with different
  // TEST_DATABASE_URLs (parallel worktrees) never share, or drop, each other's database.
  const base = TEST_DATABASE_URL.replace(/^.*\/([^/?]+)(\?.*)?$/, '$1');
  const name = `${base}_${label.toLowerCase().replace(/[^a-z0-9]/g, '_')}`.slice(0, 63);
  const admin = async (sql: string): Promise<void> => {
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    name,
    url: TEST_DATABASE_URL.replace(/\/[^/]+$/, `/${name}`),
    create: () => admin(`create database ${name}`),
    drop: () => admin(`drop database if exists ${name} with (force)`),
  };
}

/** Service config pointing at the test database and a topic prefix. */
export function testConfig(prefix: string, extra: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    KAFKA_BROKERS,
    DATABASE_URL: TEST_DATABASE_URL,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
    ...extra,
  });
}

export function uniqueId(label: string): string {
  return `${label}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Polls until `probe` returns a value that is not undefined, or fails with the last seen value. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads every message currently on a topic (from the beginning), as parsed JSON with position. */
export async function readAll(kafka: Kafka, topic: string, expectAtLeast: number, timeoutMs = 15_000) {
  const consumer = kafka.consumer({ groupId: uniqueId('reader'), maxWaitTimeInMs: 100 });
  const out: Array<{ partition: number; offset: string; key: string | null; value: unknown; headers: Record<string, string> }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      const value: unknown = JSON.parse(message.value?.toString() ?? 'null');
      out.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers });
    },
  });
  try {
    await eventually(async () => (out.length >= expectAtLeast ? true : undefined), `${expectAtLeast} messages on ${topic}`, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return out;
}
