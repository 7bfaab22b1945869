import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { TopicNames, topicSpecs } from '@trial/contracts';
import { deleteTopics, ensureTopics } from '@trial/messaging';

/**
 * A clean demo: the pipeline's topics are deleted and recreated, the services' consumer
 * groups forgotten, and the database's public schema emptied — but only when the database is
 * ours (it holds our `schema_migrations` table) or empty. Anything else is refused.
 */
export async function resetDemo(kafka: Kafka, topics: TopicNames, databaseUrl: string, groups: string[]): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tables = (await db.query(`select table_name from information_schema.tables where table_schema = 'public'`)).rows as Array<{
      table_name: string;
    }>;
    const ours = tables.some((t) => t.table_name === 'schema_migrations');
    if (tables.length && !ours) {
      throw new Error(`refusing to reset ${redact(databaseUrl)}: it holds tables trial-followup did not create`);
    }
    if (ours) await db.query('drop schema public cascade; create schema public');
  } finally {
    await db.end();
  }
  const specs = topicSpecs(topics);
  await deleteTopics(
    kafka,
    specs.map((s) => s.topic),
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Deletion is asynchronous: wait until the names are free before creating them again.
    for (let i = 0; i < 100; i++) {
      const left = new Set(await admin.listTopics());
      if (!specs.some((s) => left.has(s.topic))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const existing = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => groups.includes(g));
    if (existing.length) await admin.deleteGroups(existing).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  for (let i = 0; ; i++) {
    try {
      await ensureTopics(kafka, specs);
      return;
    } catch (e) {
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
