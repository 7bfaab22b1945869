// `followup ingest --source ONS|NRS [--layout ons|nrs] [--complete-up-to DATE] [--rejects FILE] [--warnings FILE] FILE`:
// streams a registry extract into registry.notifications (feeds.md), with a progress bar on a
// terminal and a JSON summary on stdout. Rows that are no registration go to the rejects report;
// damage to one field of a kept (and published) row goes to the warnings report. Exit 0 when the
// file was read (whatever was rejected), 2 with one line on stderr when it could not be.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { loadConfig } from '@trial/config';
import { isRealDate, topicNames, topicSpecs } from '@trial/contracts';
import { Log, createKafka, ensureTopics } from '@trial/messaging';
import { Layout, RegistryFileError, RejectsWriter, WarningsWriter } from '@trial/registry';
import { IngestError, Source, extractCompleteFor, ingestExtract } from '@trial/ingest';
import { exitOnUsageError, UsageError } from '../usage';

interface Opts {
  source: Source;
  layout?: Layout;
  completeUpTo?: string;
  rejects?: string;
  warnings?: string;
  extractedOn?: string;
}

const civil = (v: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !isRealDate(v)) throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  return v;
};

async function run(file: string, opts: Opts): Promise<void> {
  // The edge reads the clock; the pipeline is given it. Refused before Kafka is touched, so a
  // future --complete-up-to publishes nothing at all (the pipeline refuses it too).
  const now = new Date().toISOString();
  const extractedOn = opts.extractedOn ?? now.slice(0, 10);
  if (opts.completeUpTo !== undefined) {
    const ec = extractCompleteFor({ source: opts.source, completeUpTo: opts.completeUpTo, extractedOn, today: now.slice(0, 10) });
    if (!ec.ok) throw new UsageError(`--complete-up-to ${ec.error.reason}`);
  }
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config = loadConfig();
  const quiet = () => undefined;
  const kafkaLog: Log = (level, msg) => {
    if (level === 'error') process.stderr.write(`kafka: ${msg}\n`);
  };
  const kafka = createKafka(config.KAFKA_BROKERS, 'followup-ingest', kafkaLog);
  const topics = topicNames(config.TOPIC_PREFIX);
  // Same explicit topic settings the services create; existing topics are left alone.
  await ensureTopics(kafka, topicSpecs(topics));
  const rejectsPath = opts.rejects ?? `${file}.rejects.csv`;
  const rejects = new RejectsWriter(createWriteStream(rejectsPath));
  const warningsPath = opts.warnings ?? `${file}.warnings.csv`;
  const warnings = new WarningsWriter(createWriteStream(warningsPath));
  const bar = process.stderr.isTTY
    ? new SingleBar({
        format: 'ingest |{bar}| {percentage}% | {rows} rows | {rate} rows/s | {rejected} rejected | {warnings} warnings',
        hideCursor: true,
        stream: process.stderr,
      })
    : null;
  const t0 = Date.now();
  bar?.start(size, 0, { rows: 0, rate: 0, rejected: 0, warnings: 0 });
  try {
    const summary = await ingestExtract({
      input: createReadStream(file),
      source: opts.source,
      layout: opts.layout,
      extractedOn,
      today: now.slice(0, 10),
      completeUpTo: opts.completeUpTo ?? null,
      topics,
      rejects,
      warnings,
      file: basename(file),
      // Published from a worker thread with its own producer: reading the file and Kafka's
      // encoding run on two cores.
      thread: { brokers: config.KAFKA_BROKERS, clientId: 'followup-ingest', log: kafkaLog },
      clock: () => performance.now(),
      failedAt: now,
      onProgress: (p) =>
        bar?.update(p.bytes, {
          rows: p.rows,
          rate: Math.round(p.rows / Math.max((Date.now() - t0) / 1000, 1e-3)),
          rejected: p.rejected,
          warnings: p.warnings,
        }),
    });
    bar?.update(size);
    bar?.stop();
    await rejects.close();
    await warnings.close();
    process.stdout.write(`${JSON.stringify({ ...summary, rejectsReport: rejectsPath, warningsReport: warningsPath }, null, 2)}\n`);
  } catch (e) {
    bar?.stop();
    await rejects.close().catch(quiet);
    await warnings.close().catch(quiet);
    if (e instanceof RegistryFileError || e instanceof IngestError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('ingest')
    .description('publish a registry extract (ONS or NRS layout) to registry.notifications')
    .argument('<file>', 'the extract CSV')
    .addOption(new Option('--source <source>', 'the registry').choices(['ONS', 'NRS']).makeOptionMandatory())
    .addOption(new Option('--layout <layout>', 'extract layout (default: guessed from the header)').choices(['ons', 'nrs']))
    .option(
      '--complete-up-to <date>',
      'publish extract-complete for this date once every row is acknowledged (at most the extract date and today)',
      civil,
    )
    .option('--rejects <file>', 'rejects report CSV (line, field, reason) of rows that are no registration; default FILE.rejects.csv')
    .option(
      '--warnings <file>',
      'warnings report CSV (line, field, reason) of damage to a field of a row that was published; default FILE.warnings.csv',
    )
    .option('--extracted-on <date>', 'the extract date the records carry (default: today)', civil)
    .action(async (file: string, opts: Opts) => {
      try {
        await run(file, opts);
        process.exitCode = 0;
      } catch (e) {
        exitOnUsageError(e, { prefix: 'followup ingest: ', fold: true });
      }
    });
}
