import { INestApplication } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiModule } from '../../apps/api/src/app.module';
import { ingestModule } from '../../apps/ingest/src/app.module';
import { linkageModule } from '../../apps/linkage/src/app.module';
import { projectorModule } from '../../apps/projector/src/app.module';
import { publishAll, waitForSummary } from '../../apps/cli/src/demo/publish';
import { smallTrialDeaths, smallTrialEnrollments } from '../../apps/cli/src/demo/small-trial';
import { signToken } from '@trial/auth';
import { ExtractComplete, PatientRandomised, RegistryRecord, TopicNames } from '@trial/contracts';
import { eventually, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { freePort } from '../../apps/cli/src/supervisor';

const SECRET = 'test-secret-test-secret-test-secret-0123';
/** Debian's `prometheus` package (apt-get install prometheus). */
const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const SHIPPED = join(__dirname, '..', '..', 'infra', 'prometheus');
const DEFAULT_PORTS = { api: 3000, ingest: 3001, linkage: 3002, projector: 3003 } as const;
type Job = keyof typeof DEFAULT_PORTS;

/**
 * The shipped files with the test's ports, scraped and evaluated every second, and every
 * `for:` cut to 2 s: the same jobs, expressions and labels, in seconds instead of minutes.
 */
function testCopy(dir: string, ports: Record<Job, number>): string {
  let config = readFileSync(join(SHIPPED, 'prometheus.yml'), 'utf8').replace(/(scrape|evaluation)_interval: 15s/g, '$1_interval: 1s');
  for (const job of Object.keys(DEFAULT_PORTS) as Job[]) config = config.replace(`'127.0.0.1:${DEFAULT_PORTS[job]}'`, `'127.0.0.1:${ports[job]}'`);
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const rules = readFileSync(join(SHIPPED, 'rules', 'followup.rules.yml'), 'utf8').replace(/for: \d+[smh]/g, 'for: 2s');
  writeFileSync(join(dir, 'rules', 'followup.rules.yml'), rules);
  return join(dir, 'prometheus.yml');
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Alert {
  labels: Record<string, string>;
  state: string;
}

/**
 * Debian's Prometheus against the four services running (in this process) on the real broker
 * and a database of the test's own: it scrapes each service's /metrics, the figures a small
 * trial leaves are there (and nothing that names a patient or an arm), and the shipped rules
 * fire when a consumer is stopped and when a message is dead-lettered.
 */
describe('Prometheus scraping the four services', () => {
  const kafka = testKafka();
  const db = privateDatabase('prometheus');
  const trialId = uniqueId('PROM');
  const work = mkdtempSync(join(tmpdir(), 'followup-prometheus-'));
  const apps: Partial<Record<Job, INestApplication>> = {};
  const ports = {} as Record<Job, number>;
  let topics: TopicNames;
  let drop: () => Promise<void>;
  let prometheus: ChildProcess | null = null;
  let promUrl: string;
  let promLog = '';

  const query = async (q: string): Promise<Sample[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
    return body.data.result;
  };
  const firing = async (name: string): Promise<Alert[]> => {
    const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
    return body.data.alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');
  };
  const some = <T>(xs: T[]): T[] | undefined => (xs.length ? xs : undefined);

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: apt-get install prometheus (Debian's package)`);
    await db.create();
    let prefix: string;
    ({ topics, prefix, drop } = await privateTopics(kafka, 'prom'));
    const config = testConfig(prefix, { DATABASE_URL: db.url, INGEST_SPOOL_DIR: join(work, 'spool') });
    const modules = { api: apiModule, ingest: ingestModule, linkage: linkageModule, projector: projectorModule };
    for (const job of ['linkage', 'projector', 'api', 'ingest'] as Job[]) {
      const started = await startInProcess(modules[job], config, job === 'linkage' || job === 'projector' ? job : undefined);
      apps[job] = started.app;
      ports[job] = Number(new URL(started.url).port);
    }
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${testCopy(work, ports)}`, `--storage.tsdb.path=${join(work, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (d: Buffer) => {
      promLog += d.toString();
    });
    prometheus.on('error', (e) => {
      promLog += `\n${String(e)}`;
    });
    await eventually(async () => ((await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok ? true : undefined), 'prometheus ready', 30_000).catch(
      (e: unknown) => {
        throw new Error(`${String(e)}\n${promLog.slice(-2000)}`);
      },
    );
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    for (const a of Object.values(apps)) await a?.close();
    await drop?.();
    await db.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it("scrapes every service, with the small trial's figures and no patient or arm in any label", async () => {
    const extract: ExtractComplete = { v: 1, source: 'ONS', kind: 'extract-complete', completeUpTo: '2011-09-30', extractedOn: '2011-10-02' };
    // A death registered before DS-005's randomisation (2007-05-15): a review item, not a link.
    const p5 = smallTrialEnrollments(trialId).find((e) => e.type === 'PatientRandomised' && e.patientId === 'DS-005') as PatientRandomised;
    const early: RegistryRecord = {
      ...smallTrialDeaths(trialId)[0],
      recordId: `${trialId}-R1`,
      nhsNumber: p5.nhsNumber,
      dateOfBirth: p5.dateOfBirth,
      familyName: p5.familyName.toUpperCase(),
      dateOfDeath: '2007-01-10',
      dateOfRegistration: '2007-01-12',
    };
    await publishAll(kafka, topics, smallTrialEnrollments(trialId), [...smallTrialDeaths(trialId), early, extract]);
    const token = signToken(SECRET, { sub: 'prom', role: 'dsmb', ttlSeconds: 300 });
    await waitForSummary(`http://127.0.0.1:${ports.api}`, token, trialId, (a) => a.reduce((s, x) => s + x.deaths, 0) === 3);

    const targets = await eventually(
      async () => {
        type Targets = { data: { activeTargets: Array<{ labels: { job: string }; health: string }> } };
        const body = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as Targets;
        const up = body.data.activeTargets
          .filter((t) => t.health === 'up')
          .map((t) => t.labels.job)
          .sort();
        return up.length === 4 ? up : undefined;
      },
      'all four targets up',
      30_000,
    );
    expect(targets).toEqual(['api', 'ingest', 'linkage', 'projector']);

    const byJob = (xs: Sample[]) => Object.fromEntries(xs.map((x) => [x.metric.job, Number(x.value[1])]));
    expect(byJob(await query('max by (job) (followup_consumer_running)'))).toEqual({ linkage: 1, projector: 1 });
    expect(Object.keys(byJob(await query('max by (job) (process_cpu_user_seconds_total)'))).sort()).toEqual(targets);
    const applied = await eventually(async () => some(await query('sum by (job) (followup_messages_applied_total) > 0')), 'applied counters');
    expect(Object.keys(byJob(applied)).sort()).toEqual(['linkage', 'projector']);
    const linked = await eventually(async () => some(await query('followup_linkage_decisions_total{outcome="linked"} >= 3')), 'linked decisions');
    expect(linked).toHaveLength(1);
    await eventually(async () => some(await query('followup_publish_to_apply_seconds_count{job="projector"} > 0')), 'publish-to-read-out histogram');
    await eventually(async () => some(await query('followup_batch_duration_seconds_count{job="linkage"} > 0')), 'batch histogram');
    await eventually(async () => some(await query('followup_consumer_lag_messages{job="linkage"}')), 'lag per partition', 20_000);
    const fresh = await eventually(async () => some(await query(`followup_readout_freshness_seconds{trial_id="${trialId}"}`)), 'freshness');
    expect(Number(fresh[0].value[1])).toBeLessThan(60);
    const completeness = `followup_readout_complete_up_to_timestamp_seconds{trial_id="${trialId}"}`;
    const complete = await eventually(async () => some(await query(completeness)), 'completeness');
    expect(complete.map((c) => [c.metric.registry, Number(c.value[1])])).toEqual([['ONS', Date.UTC(2011, 8, 30) / 1000]]);
    expect(await query('followup_registry_complete_up_to_timestamp_seconds{registry="ONS"}')).toHaveLength(1);
    const queued = await eventually(async () => some(await query(`followup_review_queue_items{trial_id="${trialId}"}`)), 'the review queue');
    expect(queued.map((q) => [q.metric.reason, q.value[1]])).toEqual([['death-before-randomisation', '1']]);
    expect(await query(`followup_review_queue_oldest_age_seconds{trial_id="${trialId}"} < 120`)).toHaveLength(1);
    expect(byJob(await query('followup_state_read_success'))).toEqual({ api: 1 });

    // No label anywhere names a patient, an identifier or an arm.
    const names = smallTrialEnrollments(trialId).flatMap((e) =>
      e.type === 'PatientRandomised' ? [e.patientId, e.nhsNumber ?? '', e.familyName] : [],
    );
    for (const job of Object.keys(ports) as Job[]) {
      const text = await (await fetch(`http://127.0.0.1:${ports[job]}/metrics`)).text();
      for (const bad of [...names.filter(Boolean), 'IABP', 'control']) expect(text).not.toContain(bad);
    }
    expect(await firing('FollowupConsumerNotRunning')).toEqual([]);
  });

  it('fires FollowupDeadLettersWaiting for a message sent to a DLQ', async () => {
    expect(await firing('FollowupDeadLettersWaiting')).toEqual([]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.enrollments, messages: [{ key: 'broken', value: '{"not":"an enrolment"}' }] });
    await producer.disconnect();
    const alerts = await eventually(async () => some(await firing('FollowupDeadLettersWaiting')), 'the DLQ alert', 40_000);
    expect(alerts.map((a) => a.labels.topic)).toEqual([`${topics.enrollments}.dlq`]);
  });

  it("fires FollowupConsumerNotRunning once the projector's consumer stops, while its service still answers", async () => {
    for (const m of apps.projector!.getMicroservices()) await m.close();
    const alerts = await eventually(async () => some(await firing('FollowupConsumerNotRunning')), 'the consumer alert', 40_000);
    expect(alerts.map((a) => a.labels.job)).toEqual(['projector']);
    expect(await query('up{job="projector"} == 1')).toHaveLength(1);
  });
});
