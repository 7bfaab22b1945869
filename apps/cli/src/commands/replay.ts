// `followup replay [--trial T]`: drops and rebuilds the survival read models from the topics
// (@trial/projection rebuild). Uses the same environment as the services (DATABASE_URL,
// KAFKA_BROKERS, TOPIC_PREFIX). Prints one JSON report on stdout.
import { Command } from 'commander';
import { loadConfig } from '@trial/config';
import { topicNames } from '@trial/contracts';
import { createKafka } from '@trial/messaging';
import { rebuild, streamLog } from '@trial/projection';
import { openMigrated } from '@trial/storage';

export function register(program: Command): void {
  program
    .command('replay')
    .description('drop and rebuild the survival read models from the event log')
    .option('--trial <trialId>', 'rebuild only this trial')
    .action(async (opts: { trial?: string }) => {
      const config = loadConfig();
      const started = Date.now();
      const kafka = createKafka(config.KAFKA_BROKERS, 'followup-replay', (level, msg) => {
        if (level === 'error') process.stderr.write(`kafka: ${msg}\n`);
      });
      const ds = await openMigrated(config.DATABASE_URL, config.MIGRATION_DATABASE_URL, { applicationName: 'followup-replay', poolSize: 2 });
      try {
        const report = await rebuild(ds, streamLog(kafka, topicNames(config.TOPIC_PREFIX)), {
          trialId: opts.trial,
          now: () => new Date().toISOString(),
        });
        process.stdout.write(`${JSON.stringify({ ...report, trial: opts.trial ?? null, seconds: (Date.now() - started) / 1000 })}\n`);
      } finally {
        await ds.destroy();
      }
    });
}
