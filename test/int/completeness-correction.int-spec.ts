import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { apiModule } from '../../apps/api/src/app.module';
import { ingestModule } from '../../apps/ingest/src/app.module';
import { linkageModule } from '../../apps/linkage/src/app.module';
import { PROJECTOR_IN_PROCESS, projectorModule } from '../../apps/projector/src/app.module';
import { dlqOf, EnrollmentMessage, enrollmentKey, ExtractComplete, notificationKey, TopicNames } from '@trial/contracts';
import { Role, signToken } from '@trial/auth';
import { rebuild, streamLog } from '@trial/projection';
import { createDataSource } from '@trial/storage';
import { eventually, privateDatabase, privateTopics, readAll, startInProcess, testConfig, testKafka, uniqueId } from '../support';
import { nhs } from './readout/trial';
import { registeredTrialV1 } from '../support/events';

const SECRET = 'test-secret-test-secret-test-secret-0123';
type Json = Record<string, unknown>;

/**
 * Completeness checks and corrections, end to end through linkage and the projector: an extract-complete after its
 * extract date or after today, published by hand, is refused and dead-lettered with its reason;
 * an audited correction (registry-admin, POST /registry/completeness-corrections) moves
 * completeness back; a later extract moves it forward again; replay gives the same.
 */
describe('registry completeness: refusal of a future date and audited correction (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  const trialId = uniqueId('CC');
  let topics: TopicNames;
  let drop: () => Promise<void>;
  let producer: Producer;
  let ds: DataSource;
  const apps: INestApplication[] = [];
  let api = '';
  let ingest = '';
  const token = (role: Role, sub = `${role}-tester`) => signToken(SECRET, { sub, role, ttlSeconds: 600 });
  // Completeness is global to a database: this suite gets one of its own (as the read-out suite does).
  const db = privateDatabase(trialId);
  const dbUrl = db.url;
  const json = async (path: string, role: Role): Promise<Json> => {
    const r = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token(role)}` } });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Json;
  };
  const dataComplete = async () => (await json(`/trials/${trialId}/survival`, 'monitor')).dataComplete as Json;
  const completeAt = (date: string) =>
    eventually(async () => ((await dataComplete()).ONS === date ? true : undefined), `ONS complete up to ${date}`, 30_000);
  /** The alive patient's ADTTE end date: the registry cutoff they are censored at. */
  const adt = async () => {
    const r = await fetch(`${api}/trials/${trialId}/adtte.csv`, { headers: { authorization: `Bearer ${token('dsmb')}` } });
    const [header, line] = (await r.text()).trim().split('\n');
    return line.split(',')[header.split(',').indexOf('ADT')];
  };
  const extract = async (completeUpTo: string, extractedOn: string) => {
    const ec: ExtractComplete = { v: 1, source: 'ONS', kind: 'extract-complete', completeUpTo, extractedOn };
    await producer.send({ topic: topics.notifications, acks: -1, messages: [{ key: notificationKey(ec), value: JSON.stringify(ec) }] });
  };
  const correct = (body: Json, role: Role = 'registry-admin') =>
    fetch(`${ingest}/registry/completeness-corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(role, 'alice-registry-admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    await db.create();
    let prefix: string;
    ({ topics, prefix, drop } = await privateTopics(kafka, 'completeness'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    ds = await createDataSource(dbUrl, { poolSize: 2 }).initialize();
    const config = testConfig(prefix, { DATABASE_URL: dbUrl });
    apps.push((await startInProcess(linkageModule, config, `linkage-${trialId}`)).app);
    apps.push((await startInProcess(projectorModule, config, `projector-${trialId}`, PROJECTOR_IN_PROCESS)).app);
    const a = await startInProcess(apiModule, config);
    apps.push(a.app);
    api = a.url;
    const i = await startInProcess(ingestModule, config);
    apps.push(i.app);
    ingest = i.url;
    const enrolments: EnrollmentMessage[] = [
      registeredTrialV1(trialId, 'completeness suite'),
      {
        v: 1,
        type: 'PatientRandomised',
        eventId: `${trialId}:rand-1`,
        trialId,
        patientId: 'P1',
        arm: 'IABP',
        randomisedOn: '2008-01-10',
        site: 'KCH',
        nhsNumber: nhs(1),
        chiNumber: null,
        dateOfBirth: '1945-06-01',
        sex: 'M',
        familyName: 'Test',
        givenNames: 'Patient',
        postcode: null,
      },
    ];
    await producer.send({
      topic: topics.enrollments,
      acks: -1,
      messages: enrolments.map((e) => ({ key: enrollmentKey(e), value: JSON.stringify(e) })),
    });
    await extract('2011-09-30', '2011-10-02');
    await completeAt('2011-09-30');
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await producer?.disconnect();
    await ds?.destroy();
    await drop?.();
    await db.drop();
  });

  it('refuses an upload whose completeUpTo is after its extract date, naming the field', async () => {
    const form = new FormData();
    form.append('source', 'ONS');
    form.append('extractedOn', '2011-10-02');
    form.append('completeUpTo', '2099-12-31');
    form.append(
      'file',
      new Blob(
        [
          'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG\n',
        ],
        { type: 'text/csv' },
      ),
      'empty.csv',
    );
    const r = await fetch(`${ingest}/registry/extracts`, { method: 'POST', headers: { authorization: `Bearer ${token('ingest')}` }, body: form });
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ code: 'complete-up-to-after-extract', field: 'completeUpTo' });
  });

  it('dead-letters an extract-complete published by hand with a date after its extract date or after today', async () => {
    await extract('2099-12-31', '2099-12-31'); // after today
    await extract('2012-03-31', '2012-01-05'); // after its own extract date
    const letters = await readAll(kafka, dlqOf(topics.notifications), 2, 30_000);
    const codes = letters.map((l) => (l.value as Json).code).sort();
    expect(codes).toEqual(['complete-up-to-after-extract', 'complete-up-to-in-future']);
    for (const l of letters) expect(String((l.value as Json).reason)).toMatch(/completeUpTo (2099-12-31|2012-03-31) is after/);
    // Nothing moved: the refused dates never became completeness.
    await new Promise((r) => setTimeout(r, 500));
    expect((await dataComplete()).ONS).toBe('2011-09-30');
    expect(await adt()).toBe('2011-09-30');
  });

  it('moves completeness back on an audited correction, and forward again on a later extract; replay agrees', async () => {
    // A wrong date that is not in the future gets through: that is what the correction is for.
    await extract('2012-06-30', '2012-07-05');
    await completeAt('2012-06-30');
    expect(await adt()).toBe('2012-06-30');

    expect((await correct({ source: 'ONS', completeUpTo: '2011-09-30', reason: 'x' }, 'ingest')).status).toBe(403);
    expect((await correct({ source: 'ONS', completeUpTo: '2099-12-31', reason: 'x' })).status).toBe(422);
    expect((await correct({ source: 'ONS', completeUpTo: '2011-09-30', reason: 'NHS 9434765919' })).status).toBe(400);
    const res = await correct({ source: 'ONS', completeUpTo: '2011-09-30', reason: 'extract-complete 2012-06-30 sent before the extract was whole' });
    expect(res.status).toBe(202);
    const sent = (await res.json()) as Json;
    expect(sent).toMatchObject({ kind: 'completeness-correction', source: 'ONS', completeUpTo: '2011-09-30', correctedBy: 'alice-registry-admin' });
    await completeAt('2011-09-30');
    expect(await adt()).toBe('2011-09-30');

    // Who, what and why is in the audit log; no token in it.
    const audit = (await json('/audit?limit=1000', 'dsmb')) as unknown as Array<{
      sub: string;
      role: string;
      view: string;
      trialId: string | null;
      query: Json;
    }>;
    const entry = audit.find((a) => a.view === 'completeness-correction');
    expect(entry).toMatchObject({
      sub: 'alice-registry-admin',
      role: 'registry-admin',
      trialId: null,
      query: {
        correctionId: sent.correctionId,
        source: 'ONS',
        completeUpTo: '2011-09-30',
        reason: 'extract-complete 2012-06-30 sent before the extract was whole',
      },
    });
    expect(JSON.stringify(audit)).not.toMatch(/eyJ|Bearer|9434765919/);

    // Later extracts move it forward again as usual.
    await extract('2011-12-31', '2012-01-05');
    await completeAt('2011-12-31');
    expect(await adt()).toBe('2011-12-31');

    // Replay honours the correction because it is in the log.
    const before = await json(`/trials/${trialId}/survival`, 'monitor');
    await rebuild(ds, streamLog(kafka, topics), { now: () => new Date().toISOString() });
    const after = await json(`/trials/${trialId}/survival`, 'monitor');
    expect(after.dataComplete).toEqual({ ONS: '2011-12-31' });
    const { asOf: _a, ...rest } = after;
    const { asOf: _b, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(await adt()).toBe('2011-12-31');
  });
});
