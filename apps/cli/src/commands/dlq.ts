// `followup dlq list|show|redrive|discard`: the dead letters of every topic. Uses the
// services' environment (KAFKA_BROKERS, DATABASE_URL, TOPIC_PREFIX). A letter is named by its
// place on its DLQ, `<topic>.dlq:<partition>:<offset>`, as `list` prints it.
import { Command } from 'commander';
import { loadConfig } from '@trial/config';
import { dlqOf, topicNames } from '@trial/contracts';
import { createKafka, createProducer, DeadLetterFilter, filterLetters, readDeadLetters, StoredDeadLetter, summarise } from '@trial/messaging';
import { closedLetters, discard, MAX_NOTE, openMigrated, redrive, redriven } from '@trial/storage';
import { DataSource } from 'typeorm';

type Env = { letters: StoredDeadLetter[]; ds: DataSource; kafka: ReturnType<typeof createKafka> };

async function withLetters<T>(name: string, run: (env: Env) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const kafka = createKafka(config.KAFKA_BROKERS, `followup-dlq-${name}`, (level, msg) => {
    if (level === 'error') process.stderr.write(`kafka: ${msg}\n`);
  });
  const topics = Object.values(topicNames(config.TOPIC_PREFIX)).map(dlqOf);
  const ds = await openMigrated(config.DATABASE_URL, config.MIGRATION_DATABASE_URL, { applicationName: `followup-dlq-${name}`, poolSize: 2 });
  try {
    return await run({ letters: await readDeadLetters(kafka, topics), ds, kafka });
  } finally {
    await ds.destroy();
  }
}

const origin = (l: StoredDeadLetter) => `${l.record.source.topic}:${l.record.source.partition}:${l.record.source.offset}`;

export function register(program: Command): void {
  const dlq = program.command('dlq').description('list, show and re-drive dead letters');

  dlq
    .command('list')
    .description("dead letters, oldest first: where from, the reason's code, when, and whether re-driven (no content)")
    .option('--topic <topic>', 'only those of this topic (or its DLQ)')
    .option('--code <code>', 'only those refused with this code')
    .option('--since <instant>', 'failed at or after (ISO 8601)')
    .option('--until <instant>', 'failed before (ISO 8601)')
    .option('--open', 'only letters neither re-driven nor discarded (what the alert counts)')
    .action(async (f: DeadLetterFilter & { open?: boolean }) => {
      await withLetters('list', async ({ letters, ds }) => {
        const [done, closed] = [await redriven(ds), await closedLetters(ds)];
        for (const l of filterLetters(letters, f)) {
          if (f.open && closed.has(l.id)) continue;
          process.stdout.write(`${JSON.stringify({ ...summarise(l), redriven: done.get(origin(l)) ?? null, closed: closed.get(l.id) ?? null })}\n`);
        }
      });
    });

  dlq
    .command('show <id>')
    .description('one dead letter: origin, code and reason; its original message (personal data) only with --original')
    .option('--original', 'also print the original message as it was on its topic (it may hold personal data)')
    .action(async (id: string, opts: { original?: boolean }) => {
      await withLetters('show', async ({ letters, ds }) => {
        const l = letters.find((x) => x.id === id);
        if (!l) throw new Error(`no dead letter ${id} (see followup dlq list)`);
        const r = l.record;
        const shown = {
          ...summarise(l),
          reason: r.reason,
          origin: { ...r.source },
          redriven: (await redriven(ds)).get(origin(l)) ?? null,
          closed: (await closedLetters(ds)).get(l.id) ?? null,
        };
        const original = opts.original && r.originalBase64 !== null ? Buffer.from(r.originalBase64, 'base64').toString('utf8') : undefined;
        process.stdout.write(`${JSON.stringify(original === undefined ? shown : { ...shown, original }, null, 2)}\n`);
      });
    });

  dlq
    .command('redrive <ids...>')
    .description('send dead letters back to their original topic, once the cause is fixed; each original at most once')
    .requiredOption('--by <name>', 'who re-drives them (kept in dlq_redrives)')
    .action(async (ids: string[], opts: { by: string }) => {
      await withLetters('redrive', async ({ letters, ds, kafka }) => {
        const chosen = pick(letters, ids);
        const producer = createProducer(kafka);
        await producer.connect();
        try {
          const result = await redrive(ds, producer, chosen, opts.by, new Date().toISOString());
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } finally {
          await producer.disconnect();
        }
      });
    });

  dlq
    .command('discard <ids...>')
    .description('close dead letters that must not be re-driven, with a note of why; audited, and a re-drive then refuses them')
    .requiredOption('--by <name>', 'who discards them (kept in dlq_closed and the audit log)')
    .requiredOption('--note <text>', `why they must not be re-driven (1 to ${MAX_NOTE} characters; no personal data: it is kept)`)
    .action(async (ids: string[], opts: { by: string; note: string }) => {
      await withLetters('discard', async ({ letters, ds }) => {
        const result = await discard(ds, pick(letters, ids), { sub: opts.by, role: 'operator' }, opts.note, new Date().toISOString());
        process.stdout.write(`${JSON.stringify(result)}\n`);
      });
    });
}

/** The letters named, in order; an error naming every id that is not on a DLQ. */
function pick(letters: readonly StoredDeadLetter[], ids: readonly string[]): StoredDeadLetter[] {
  const chosen = ids.map((id) => letters.find((x) => x.id === id) ?? id);
  const missing = chosen.filter((c): c is string => typeof c === 'string');
  if (missing.length) throw new Error(`no dead letter ${missing.join(', ')} (see followup dlq list)`);
  return chosen as StoredDeadLetter[];
}
