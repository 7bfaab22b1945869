import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { ingestModule } from '../../../apps/ingest/src/app.module';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { TopicNames } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, uniqueId } from '../../support';
import { Person, collect, enrolKey, person, randomised, send } from './fixtures';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const HEADER =
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG';
const ymd = (d: string) => d.replace(/-/g, '');
const row = (id: string, p: Person, over: Partial<Record<'nhs' | 'dob' | 'type' | 'dod', string>> = {}) =>
  [
    id,
    '1',
    over.type ?? 'D',
    over.nhs ?? p.nhsNumber,
    over.dob ?? ymd(p.dateOfBirth),
    p.sex === 'M' ? '1' : '2',
    p.familyName.toUpperCase(),
    p.givenNames.toUpperCase(),
    p.postcode,
    over.dod ?? '20090630',
    '20090706',
    'I21.9',
    'H',
    '',
    '',
  ].join(',');

/**
 * Ingest over HTTP through the real broker: valid rows become notifications that the linkage
 * service links, a row with a damaged number is published with a warning, rows that are no
 * registration are rejected with line, field and reason (and dead-lettered), the
 * extract is complete only after the rows, and the same file twice changes nothing downstream.
 */
describe('ingest of an extract with bad rows (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let apps: INestApplication[] = [];
  let url: string;
  let outcomes: Awaited<ReturnType<typeof collect>>;
  const trialId = uniqueId('ING');
  const token = signToken(SECRET, { sub: 'registry-feed', role: 'ingest', ttlSeconds: 600 });

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'ingest'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    outcomes = await collect(kafka, topics.outcomes);
    apps.push((await startInProcess(linkageModule, testConfig(prefix), `linkage-${trialId}`)).app);
    const started = await startInProcess(ingestModule, testConfig(prefix));
    apps.push(started.app);
    url = started.url;
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    apps = [];
    await outcomes.stop();
    await producer.disconnect();
    await drop();
  });

  const upload = (csv: string, tok = token) => {
    const form = new FormData();
    form.append('source', 'ONS');
    form.append('completeUpTo', '2011-09-30');
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'extract.csv');
    return fetch(`${url}/registry/extracts`, { method: 'POST', headers: { authorization: `Bearer ${tok}` }, body: form });
  };

  it('publishes valid rows and warned ones, rejects the rows that are no registration with a reason, and changes nothing the second time', async () => {
    const people = Array.from({ length: 5 }, () => person(trialId));
    await send(producer, topics.enrollments, people.map(randomised), enrolKey);
    const bad = person(trialId);
    const flip = (n: string) => n.slice(0, 9) + String((Number(n[9]) + 1) % 10);
    const csv =
      [
        HEADER,
        ...people.map((p, i) => row(`${trialId}-R${i}`, p)),
        row(`${trialId}-B1`, bad, { nhs: flip(bad.nhsNumber) }),
        row(`${trialId}-B2`, bad, { dob: '19411302' }),
        row(`${trialId}-B3`, bad, { dod: '18000101' }),
        row(`${trialId}-B4`, bad, { type: 'X' }),
        'only,three,cells',
      ].join('\n') + '\n';
    expect((await upload(csv, signToken(SECRET, { sub: 'r', role: 'reviewer', ttlSeconds: 60 }))).status).toBe(403);
    const res = await upload(csv);
    expect(res.status).toBe(200);
    type Line = { line: number; field: string; reason: string };
    const summary = (await res.json()) as Record<string, unknown> & { firstRejects: Line[]; firstWarnings: Line[] };
    // A number failing Modulus 11 is a warning (feeds.md, "Identifier checks"): the row is published.
    expect(summary).toMatchObject({
      source: 'ONS',
      layout: 'ons',
      rows: 10,
      published: 6,
      rejected: 4,
      warnings: 1,
      completeUpTo: '2011-09-30',
      extractComplete: true,
    });
    expect(summary.firstWarnings).toEqual([{ line: 7, field: 'DEC_CONF_NHS_NUMBER', reason: 'fails the Modulus 11 check' }]);
    expect(summary.firstRejects.map((r) => [r.line, r.field])).toEqual([
      [8, 'DEC_DATE_OF_BIRTH'],
      [9, 'REG_DATE_OF_DEATH'],
      [10, 'NOTIFICATION_TYPE'],
      [11, '(row)'],
    ]);
    console.log(`summary: ${JSON.stringify(summary)}`);
    const dead = await readAll(kafka, `${topics.notifications}.dlq`, 4);
    expect(dead.map((d) => (d.value as { code: string }).code)).toEqual(Array(4).fill('invalid-row'));
    expect(JSON.stringify(dead)).not.toContain(bad.nhsNumber.slice(0, 9));
    const linkedAll = async () =>
      outcomes.seen.filter((e) => e.type === 'DeathLinked').length === 5 && outcomes.seen.some((e) => e.type === 'RegistryExtractCompleted')
        ? true
        : undefined;
    await eventually(linkedAll, 'five deaths linked and the extract complete');
    const before = outcomes.seen.length;
    const again = await upload(csv);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ rows: 10, published: 6, rejected: 4, warnings: 1 });
    await new Promise((r) => setTimeout(r, 2000));
    expect(outcomes.seen.length).toBe(before);
  });

  it('refuses a file that is not an extract with 422 and an unauthenticated upload with 401', async () => {
    const res = await upload('a,b,c\n1,2,3\n');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'unknown-layout' });
    expect((await fetch(`${url}/registry/extracts`, { method: 'POST' })).status).toBe(401);
  });
});
