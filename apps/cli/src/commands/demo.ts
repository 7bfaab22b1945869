import { Command } from 'commander';
import { join } from 'node:path';
import { devSecretFile, loadConfig } from '@trial/config';
import { resolveSecret, signToken } from '@trial/auth';
import { topicNames, topicSpecs } from '@trial/contracts';
import { createKafka, ensureTopics } from '@trial/messaging';
import { projectRoot, startServices } from '../supervisor';
import { SMALL_TRIAL_ID, smallTrialDeaths, smallTrialEnrollments } from '../demo/small-trial';
import { formatSummary, publishAll, waitForSummary } from '../demo/publish';

/**
 * `followup demo`: starts the four services against the configured Kafka and Postgres,
 * publishes the bundled demo trial, prints the per-arm summary read back from the API and
 * stays up until Ctrl-C. (`npm start` brings the infrastructure up first.)
 */
export function register(program: Command): void {
  program.command('demo')
    .description('start the services, publish the bundled demo trial and print its read-out')
    .option('--exit', 'stop the services and exit after printing the read-out')
    .action(async (opts: { exit?: boolean }) => {
      const config = loadConfig();
      const quiet = () => undefined;
      const kafka = createKafka(config.KAFKA_BROKERS, 'followup-demo', quiet);
      const topics = topicNames(config.TOPIC_PREFIX);
      await ensureTopics(kafka, topicSpecs(topics));
      const logDir = join(projectRoot(), '.infra', 'logs');
      process.stdout.write(`starting linkage, projector, api and ingest (logs in ${logDir})\n`);
      const services = await startServices({}, {
        api: config.API_PORT, ingest: config.INGEST_PORT, linkage: config.LINKAGE_PORT, projector: config.PROJECTOR_PORT,
      }, logDir);
      const shutdown = async () => {
        process.stdout.write('\nstopping services\n');
        await services.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
      const deaths = smallTrialDeaths();
      const sent = await publishAll(kafka, topics, smallTrialEnrollments(), deaths);
      for (const m of sent) process.stdout.write(`published to ${m.topicName} partition ${m.partition} (base offset ${m.baseOffset})\n`);
      const apiUrl = `http://127.0.0.1:${config.API_PORT}`;
      const token = signToken(resolveSecret(config.AUTH_SECRET, devSecretFile()), { sub: 'demo', role: 'dsmb', ttlSeconds: 600 });
      const arms = await waitForSummary(apiUrl, token, SMALL_TRIAL_ID, (a) => a.reduce((s, x) => s + x.deaths, 0) >= deaths.length);
      process.stdout.write(`\n${formatSummary(SMALL_TRIAL_ID, arms)}\n\n`);
      process.stdout.write(`API: ${apiUrl}/trials/${SMALL_TRIAL_ID}/summary (a dsmb token: npx followup token --role dsmb)   health: ${apiUrl}/health\n`);
      if (opts.exit) return shutdown();
      process.stdout.write('running; press Ctrl-C to stop\n');
      await new Promise(() => undefined);
    });
}
