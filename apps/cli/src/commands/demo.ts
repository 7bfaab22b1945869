import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { AppConfig, devSecretFile, loadConfig, projectRoot } from '@trial/config';
import { resolveSecret, roles, signToken } from '@trial/auth';
import { topicNames } from '@trial/contracts';
import { createKafka } from '@trial/messaging';
import { RunningServices, startServices } from '../supervisor';
import { SMALL_TRIAL_ID, smallTrialDeaths, smallTrialEnrollments } from '../demo/small-trial';
import { formatSummary, publishAll, waitForSummary } from '../demo/publish';
import { readManifest, replayTrial } from '../demo/bcis1';
import { Api } from '../demo/api-client';
import { closedFigures, formatClosedLines } from '../demo/closed-table';
import { formatPaperTable, PAPER, pipelineFigures } from '../demo/paper-table';
import { resetDemo } from '../demo/reset';
import { awaitingReviewLines } from '../demo/awaiting';
import { awaitIdle } from '../demo/idle';
import { frozenLooks, lookRows, takeDueLook } from '../demo/looks';

interface DemoOptions {
  exit?: boolean;
  small?: boolean;
  speed: number;
}

/**
 * `followup demo` (what `npm start` runs after bringing the infrastructure up): a clean demo
 * database and topics, the four services, then the BCIS-1-shaped trial replayed through the
 * real pipeline in compressed time; it ends on the paper's table beside the read-out and the
 * dashboard's URL, and stays up until Ctrl-C. `--small` runs the walking skeleton's tiny
 * trial instead.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('replay the bundled BCIS-1-shaped trial through the pipeline and print the read-out')
    .option(
      '--speed <factor>',
      'replay speed: 1 takes about a minute, 4 a quarter of that',
      (v: string) => {
        const n = Number(v);
        if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
        return n;
      },
      1,
    )
    .option('--small', 'the tiny walking-skeleton trial instead of BCIS-1')
    .option('--exit', 'stop the services and exit after printing the read-out')
    .action(async (opts: DemoOptions) => {
      const config = loadConfig();
      const kafka = createKafka(config.KAFKA_BROKERS, 'followup-demo', () => undefined);
      const topics = topicNames(config.TOPIC_PREFIX);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say('resetting the demo database and topics (every run starts clean)');
      // Emptying the schema is the owner's to do, not the services' role's.
      // The services' consumer groups are named after the topic prefix (platform bootstrap).
      const groups = ['linkage', 'projector'].map((g) => `${config.TOPIC_PREFIX}${g}`);
      await resetDemo(kafka, topics, config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL, groups);
      const logDir = join(projectRoot(), '.infra', 'logs');
      say(`starting linkage, projector, api and ingest (logs in ${logDir})`);
      const services = await startServices(
        {},
        {
          api: config.API_PORT,
          ingest: config.INGEST_PORT,
          linkage: config.LINKAGE_PORT,
          projector: config.PROJECTOR_PORT,
        },
        logDir,
      );
      const shutdown = async (code = 0) => {
        say('\nstopping services');
        await services.stop();
        process.exit(code);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
      try {
        if (opts.small) await runSmall(config, services, say);
        else await runBcis1(config, services, opts.speed, say);
      } catch (e) {
        say(`demo failed: ${(e as Error).message}`);
        return shutdown(1);
      }
      if (opts.exit) return shutdown();
      say('running; press Ctrl-C to stop');
      await new Promise(() => undefined);
    });
}

function tokens(config: AppConfig) {
  const secret = resolveSecret(config.AUTH_SECRET, devSecretFile());
  const mint = (role: 'dsmb' | 'reviewer' | 'monitor', ttlSeconds: number) => signToken(secret, { sub: `demo-${role}`, role, ttlSeconds });
  return { dsmb: mint('dsmb', 8 * 3600), reviewer: mint('reviewer', 3600), monitor: mint('monitor', 8 * 3600) };
}

async function runBcis1(config: AppConfig, services: RunningServices, speed: number, say: (l: string) => void): Promise<void> {
  const dataDir = join(projectRoot(), 'demo', 'data');
  const manifest = readManifest(dataDir);
  const expected = JSON.parse(readFileSync(join(dataDir, manifest.expected), 'utf8')) as { patients: Array<{ status: number }> };
  const apiUrl = `http://127.0.0.1:${services.ports.api}`;
  const t = tokens(config);
  const api = new Api(apiUrl, manifest.trialId, t);
  const kafka = createKafka(config.KAFKA_BROKERS, 'followup-demo', () => undefined);
  say(`replaying ${manifest.trialId} (seed ${manifest.seed}): ${manifest.steps.length} steps at speed ${speed}`);
  say(`dashboard (dsmb): ${apiUrl}/#token=${t.dsmb}`);
  // BCIS-1's design: looks at a quarter, half and three quarters of its 100 planned deaths, then the final analysis.
  const plannedLooks = [0.25, 0.5, 0.75, 1];
  const topics = topicNames(config.TOPIC_PREFIX);
  // Each extract's tally and look over a pipeline at rest, so that the frozen looks are the same every run.
  const settle = async () => {
    if (!(await awaitIdle(kafka, topics, config.DATABASE_URL))) say('            (the pipeline did not come to rest within 60 s; read as it is)');
  };
  await replayTrial({ kafka, topics, dataDir, api, speed, print: say, plannedLooks, settle });
  const want = expected.patients.filter((p) => p.status === 1).length;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const deaths = await api.deathsByArm().catch(() => ({}) as Record<string, number>);
    if (Object.values(deaths).reduce((a, b) => a + b, 0) >= want || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // The final analysis is the board's last look; the table's lines for the looks come from their frozen reports.
  const final = await takeDueLook(api, plannedLooks).catch((e: Error) => ({ look: 0, line: `            DSMB final look not taken: ${e.message}` }));
  if (final !== null) say(final.line);
  const taken = final !== null && final.look > 0 ? final.look : ((await api.interim().catch(() => null))?.looksTaken ?? 0);
  const looks = await frozenLooks(api, taken, 15_000);
  say('');
  say(formatPaperTable(PAPER, await pipelineFigures(api), lookRows(looks)));
  // The closed report's lines under the paper's (unchanged) ones.
  const closed = await closedFigures(api);
  if (closed) say(formatClosedLines(closed));
  // The registrations left for the reviewer's screen (none counted above).
  say('');
  for (const line of await awaitingReviewLines(api, manifest.awaitingReview, 30_000)) say(line);
  say('');
  say(`dashboard (dsmb):    ${apiUrl}/#token=${t.dsmb}`);
  say(`dashboard (monitor): ${apiUrl}/#token=${t.monitor}`);
  say(`dashboard (reviewer, 1 hour): ${apiUrl}/#token=${t.reviewer}`);
  say(`API docs: ${apiUrl}/docs   more tokens: npx followup token --role ${roles.join('|')}`);
}

async function runSmall(config: AppConfig, services: RunningServices, say: (l: string) => void): Promise<void> {
  const kafka = createKafka(config.KAFKA_BROKERS, 'followup-demo', () => undefined);
  const deaths = smallTrialDeaths();
  const sent = await publishAll(kafka, topicNames(config.TOPIC_PREFIX), smallTrialEnrollments(), deaths);
  for (const m of sent) say(`published to ${m.topicName} partition ${m.partition} (base offset ${m.baseOffset})`);
  const apiUrl = `http://127.0.0.1:${services.ports.api}`;
  const arms = await waitForSummary(apiUrl, tokens(config).dsmb, SMALL_TRIAL_ID, (a) => a.reduce((s, x) => s + x.deaths, 0) >= deaths.length);
  say(`\n${formatSummary(SMALL_TRIAL_ID, arms)}\n`);
  say(`API: ${apiUrl}/trials/${SMALL_TRIAL_ID}/summary (a dsmb token: npx followup token --role dsmb)   health: ${apiUrl}/health`);
}
