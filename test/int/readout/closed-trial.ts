import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { apiModule } from '../../../apps/api/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../../apps/projector/src/app.module';
import { enrollmentKey, noPlans, outcomeKey, type EnrollmentEvent, type OutcomeEvent, type TopicNames, type TrialRegistered } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { eventually, privateDatabase, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../../support';
import { nhs } from './trial';

/** testConfig's AUTH_SECRET: what the suites sign their tokens with. */
export const SECRET = 'test-secret-test-secret-test-secret-0123';

/** A running projector and API on private topics and a private database, fed the closed-report trial. */
export interface ClosedTrial {
  trialId: string;
  /** Randomised patients P01..Pn. */
  patients: number;
  ev(id: string): string;
  outcome(type: string, i: number, id: string): { v: 1; type: string; eventId: string; trialId: string; patientId: string; occurredAt: string };
  ref(i: number, version: number): { source: 'ONS'; recordId: string; version: number };
  get(path: string, role: 'dsmb' | 'monitor'): Promise<Response>;
  api: string;
  producer: Producer;
  topics: TopicNames;
  prefix: string;
  databaseUrl: string;
  /** A scratch folder, removed after the suite. */
  scratch: string;
}

/**
 * The closed report's trial through the real broker and database (the ADaM and closed-report
 * suites): a v2 trial (region strata, CVDEATH), `patients` randomised, deaths of several
 * causes, a cause recoded by an amendment (P01: lung cancer to myocardial infarction) and a
 * death cancelled (P04). Registers the suite's beforeAll (every event applied) and afterAll.
 */
export function closedTrial(label: string, patients: number, subgroups: TrialRegistered['subgroups']): ClosedTrial {
  const kafka = testKafka();
  const trialId = uniqueId(label.toUpperCase());
  const db = privateDatabase(trialId);
  const apps: INestApplication[] = [];
  let drop: () => Promise<void> = async () => undefined;
  const t: ClosedTrial = {
    trialId,
    patients,
    api: '',
    prefix: '',
    databaseUrl: db.url,
    topics: undefined as never,
    producer: undefined as never,
    scratch: mkdtempSync(join(tmpdir(), `${label}-int-`)),
    ev: (id) => `${trialId}:${id}`,
    outcome: (type, i, id) => ({
      v: 1,
      type,
      eventId: t.ev(id),
      trialId,
      patientId: `P${String(i).padStart(2, '0')}`,
      occurredAt: '2011-01-05T10:00:00Z',
    }),
    ref: (i, version) => ({ source: 'ONS', recordId: `${trialId}-D${i}`, version }),
    get: (path, role) =>
      fetch(`${t.api}${path}`, { headers: { authorization: `Bearer ${signToken(SECRET, { sub: `${role}-${label}`, role, ttlSeconds: 600 })}` } }),
  };
  const registered: EnrollmentEvent = {
    v: 2,
    type: 'TrialRegistered',
    ...noPlans(),
    eventId: t.ev('reg'),
    trialId,
    title: 'ADaM suite',
    arms: ['control', 'IABP'],
    referenceArm: 'control',
    plannedEvents: 20,
    alpha: 0.05,
    sided: 2,
    looks: [1],
    spending: 'obrien-fleming',
    stratificationFactors: ['region'],
    subgroups,
    endpoints: [{ code: 'CVDEATH', name: 'Cardiovascular death', icd10: [{ from: 'I00', to: 'I99' }] }],
  };
  const randomised = (i: number): EnrollmentEvent => ({
    v: 2,
    type: 'PatientRandomised',
    eventId: t.ev(`r${i}`),
    trialId,
    patientId: `P${String(i).padStart(2, '0')}`,
    arm: i % 2 ? 'IABP' : 'control',
    randomisedOn: `2007-${String((i % 12) + 1).padStart(2, '0')}-1${i % 10}`,
    site: i % 3 ? 'KCH' : 'BHI',
    nhsNumber: nhs(1000 + i),
    chiNumber: null,
    dateOfBirth: `19${30 + (i % 20)}-06-01`,
    sex: i % 4 ? 'M' : 'F',
    familyName: 'Test',
    givenNames: 'Patient',
    postcode: null,
    strata: { region: ['London', 'North'][i % 2 === 0 ? (i >> 1) % 2 : i % 2] },
    covariates: {},
  });
  const causes = ['I21.9', 'C34.1', 'I50.0', 'J18.9', null];
  const dying = Array.from({ length: patients }, (_, k) => k + 1).filter((i) => i % 5 === 0 || i % 7 === 0 || i % 3 === 1);
  const outcomes: OutcomeEvent[] = [
    ...dying.map((i): OutcomeEvent => ({
      ...t.outcome('DeathLinked', i, `d${i}`),
      type: 'DeathLinked',
      ...t.ref(i, 1),
      dateOfDeath: `2009-0${(i % 9) + 1}-0${(i % 9) + 1}`,
      underlyingCause: causes[i % causes.length],
      evidence: { method: 'deterministic', modelVersion: 't', weight: null, fields: {} },
    })),
    // P01's death was registered as lung cancer (causes[1]); the amendment recodes it to a myocardial infarction.
    { ...t.outcome('DeathAmended', 1, 'a1'), type: 'DeathAmended', ...t.ref(1, 2), dateOfDeath: '2009-02-02', underlyingCause: 'I21.0' },
    { ...t.outcome('DeathWithdrawn', 4, 'w4'), type: 'DeathWithdrawn', ...t.ref(4, 2), reason: 'cancelled' },
    { v: 1, type: 'RegistryExtractCompleted', eventId: t.ev('ons'), occurredAt: '2011-01-05T10:00:00Z', source: 'ONS', completeUpTo: '2010-12-31' },
  ];

  beforeAll(async () => {
    await db.create();
    ({ topics: t.topics, prefix: t.prefix, drop } = await privateTopics(kafka, label));
    t.producer = kafka.producer({ idempotent: true });
    await t.producer.connect();
    apps.push(
      (await startInProcess(projectorModule, testConfig(t.prefix, { DATABASE_URL: db.url }), `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app,
    );
    const a = await startInProcess(apiModule, testConfig(t.prefix, { DATABASE_URL: db.url }));
    apps.push(a.app);
    t.api = a.url;
    const enrolments = [registered, ...Array.from({ length: patients }, (_, k) => randomised(k + 1))];
    const messages = enrolments.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) }));
    await t.producer.send({ topic: t.topics.enrollments, acks: -1, messages });
    await t.producer.send({ topic: t.topics.outcomes, acks: -1, messages: outcomes.map((e) => ({ key: outcomeKey(e), value: JSON.stringify(e) })) });
    await eventually(
      async () => {
        const r = await t.get(`/trials/${trialId}`, 'monitor');
        const body = r.status === 200 ? ((await r.json()) as { eventsApplied: number }) : null;
        return body?.eventsApplied === enrolments.length + outcomes.length - 1 ? body : undefined;
      },
      'every event applied',
      60_000,
    );
  });

  afterAll(async () => {
    rmSync(t.scratch, { recursive: true, force: true });
    for (const a of apps.reverse()) await a.close();
    await t.producer?.disconnect();
    await drop();
    await db.drop();
  });
  return t;
}
