import { join } from 'node:path';
import { projectRoot, RunningServices, startServices } from '../../apps/cli/src/supervisor';
import { smallTrialDeaths, smallTrialEnrollments } from '../../apps/cli/src/demo/small-trial';
import { publishAll, waitForSummary } from '../../apps/cli/src/demo/publish';
import { signToken } from '@trial/auth';
import { Client } from 'pg';
import { KAFKA_BROKERS, privateDatabaseWithRoles, privateTopics, testKafka, uniqueId } from '../support';

/**
 * The whole path, through the compiled services as separate processes: a randomisation and
 * a registry death published to the real broker are linked on an exact NHS number, turned
 * into an outcome event, projected into Postgres and read back from the API. The database is
 * set up by scripts/infra.sh as a deployment's: the services migrate as its owner role and
 * serve as its least-privilege application role.
 */
const SECRET = 'test-secret-test-secret-test-secret-0123';

describe('walking skeleton: Kafka -> linkage -> projector -> Postgres -> API', () => {
  const kafka = testKafka();
  let services: RunningServices;
  let drop: () => Promise<void>;
  let prefix: string;
  const ports = { api: 4310, ingest: 4311, linkage: 4312, projector: 4313 };
  const db = privateDatabaseWithRoles(uniqueId('e2e'));
  let urls: { DATABASE_URL: string; MIGRATION_DATABASE_URL: string };

  beforeAll(async () => {
    let topics;
    ({ prefix, topics, drop } = await privateTopics(kafka, 'e2e'));
    void topics;
    urls = await db.create();
    services = await startServices(
      {
        KAFKA_BROKERS,
        ...urls,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        AUTH_SECRET: SECRET,
      },
      ports,
      join(projectRoot(), 'test-output', 'e2e-logs'),
    );
  });

  afterAll(async () => {
    await services?.stop();
    await drop?.();
    await db.drop();
  });

  it('shows a linked death in the per-arm summary', async () => {
    const trialId = uniqueId('E2E');
    const { topicNames } = await import('@trial/contracts');
    const sent = await publishAll(kafka, topicNames(prefix), smallTrialEnrollments(trialId), smallTrialDeaths(trialId));
    for (const m of sent) console.log(`published to ${m.topicName} partition ${m.partition} base offset ${m.baseOffset}`);
    const arms = await waitForSummary(
      `http://127.0.0.1:${ports.api}`,
      signToken(SECRET, { sub: 'e2e', role: 'dsmb', ttlSeconds: 300 }),
      trialId,
      (a) => a.reduce((s, x) => s + x.deaths, 0) === 3,
    );
    expect(arms).toEqual([
      { arm: 'control', randomised: 5, deaths: 2 },
      { arm: 'IABP', randomised: 5, deaths: 1 },
    ]);
    // The demo's people may also be in earlier runs' trials in this database: look at this trial's.
    const outcomes = (await (await import('../support')).readAll(kafka, `${prefix}followup.outcomes`, 3)).filter(
      (o) => (o.value as { trialId: string }).trialId === trialId,
    );
    console.log(`outcome events on ${prefix}followup.outcomes: ${outcomes.map((o) => `p${o.partition}@${o.offset}`).join(', ')}`);
    expect(outcomes.map((o) => (o.value as { type: string }).type)).toEqual(['DeathLinked', 'DeathLinked', 'DeathLinked']);
    // Every service connected as the application role, none as the owner or a superuser.
    const c = new Client({ connectionString: urls.MIGRATION_DATABASE_URL });
    await c.connect();
    try {
      const users = (
        await c.query(`select distinct usename from pg_stat_activity where datname = current_database() and application_name = any($1)`, [
          ['api', 'ingest', 'linkage', 'projector'],
        ])
      ).rows as Array<{ usename: string }>;
      expect(users.map((u) => u.usename)).toEqual([db.roles.app]);
    } finally {
      await c.end();
    }
  });
});
