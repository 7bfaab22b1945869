import { INestApplication } from '@nestjs/common';
import { apiModule } from '../../apps/api/src/app.module';
import { ingestModule } from '../../apps/ingest/src/app.module';
import { Role, signToken } from '@trial/auth';
import { privateTopics, startInProcess, testConfig, testKafka } from '../support';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const ONS_HEADER =
  'RECORD_ID,RECORD_VERSION,NOTIFICATION_TYPE,DEC_CONF_NHS_NUMBER,DEC_DATE_OF_BIRTH,DEC_SEX,DEC_SURNAME,DEC_FORENAMES,DEC_POSTCODE,REG_DATE_OF_DEATH,REG_DATE,S_UNDERLYING_COD_ICD10,POD_CODE,EVENT_DATE,CANCELLED_FLAG\n';

/**
 * Each error family's HTTP answer, status and whole body, as clients rely on them: read errors,
 * refused review decisions, refused uploads and corrections, and Nest's own HTTP exceptions.
 * Written when the controllers' error handling moved into one filter per family; it passes on
 * the code before that move too (the bodies did not change).
 */
describe('error bodies of the API and ingest (real Postgres and Kafka)', () => {
  const kafka = testKafka();
  const apps: INestApplication[] = [];
  let drop: () => Promise<void>;
  let api = '';
  let ingest = '';
  const token = (role: Role) => signToken(SECRET, { sub: `${role}-tester`, role, ttlSeconds: 600 });
  const answer = async (r: Response) => ({ status: r.status, body: (await r.json()) as unknown });
  const get = async (url: string, role: Role) => answer(await fetch(url, { headers: { authorization: `Bearer ${token(role)}` } }));
  const post = async (url: string, role: Role, body: unknown) =>
    answer(
      await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token(role)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  const upload = async (csv: string | null, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (csv !== null) form.append('file', new Blob([csv], { type: 'text/csv' }), 'extract.csv');
    return answer(
      await fetch(`${ingest}/registry/extracts`, { method: 'POST', headers: { authorization: `Bearer ${token('ingest')}` }, body: form }),
    );
  };

  beforeAll(async () => {
    let prefix: string;
    ({ prefix, drop } = await privateTopics(kafka, 'error-bodies'));
    const config = testConfig(prefix);
    const a = await startInProcess(apiModule, config);
    apps.push(a.app);
    api = a.url;
    const i = await startInProcess(ingestModule, config);
    apps.push(i.app);
    ingest = i.url;
  });

  afterAll(async () => {
    for (const a of apps.reverse()) await a.close();
    await drop?.();
  });

  it('read errors: { statusCode, code, message }', async () => {
    expect(await get(`${api}/trials/NO-SUCH-TRIAL`, 'monitor')).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'trial-not-found', message: 'trial NO-SUCH-TRIAL is not known' },
    });
    expect(await get(`${api}/trials/NO-SUCH-TRIAL/survival`, 'dsmb')).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'trial-not-found', message: 'trial NO-SUCH-TRIAL is not known' },
    });
    // The stream's guard answers before any event-stream header is written.
    expect(await get(`${api}/trials/NO-SUCH-TRIAL/stream`, 'monitor')).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'trial-not-found', message: 'trial NO-SUCH-TRIAL is not known' },
    });
    const badQuery = await get(`${api}/trials/NO-SUCH-TRIAL/survival?confType=wide`, 'monitor');
    expect(badQuery).toEqual({ status: 400, body: { statusCode: 400, code: 'invalid-query', message: expect.stringMatching(/confType/) } });
    expect(await get(`${api}/audit?limit=0`, 'dsmb')).toEqual({
      status: 400,
      body: { statusCode: 400, code: 'invalid-query', message: 'limit: must be an integer from 1 to 1000' },
    });
  });

  it("refused review decisions: { code, message }; the queue's own 400 and 404 are Nest's", async () => {
    const invalid = await post(`${api}/reviews/no-such-review/decision`, 'reviewer', { decision: 'maybe' });
    expect(invalid).toEqual({ status: 400, body: { code: 'invalid-body', message: expect.stringMatching(/decision/) } });
    expect(await post(`${api}/reviews/no-such-review/decision`, 'reviewer', { decision: 'reject' })).toEqual({
      status: 404,
      body: { code: 'not-found', message: 'no such review' },
    });
    expect(await get(`${api}/reviews?status=pending`, 'reviewer')).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'status must be open, accepted, rejected or superseded' },
    });
    expect(await get(`${api}/reviews/no-such-review`, 'reviewer')).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'no review no-such-review' },
    });
  });

  it("refused uploads: 422 { code, message, field? }; a missing file is Nest's 400", async () => {
    expect(await upload(null, { source: 'ONS' })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'a multipart field `file` with the extract is required' },
    });
    const notAnExtract = await upload('hello,world\n1,2\n', { source: 'ONS' });
    expect(notAnExtract.status).toBe(422);
    expect(Object.keys(notAnExtract.body as object).sort()).toEqual(['code', 'message']);
    expect(await upload(ONS_HEADER, { source: 'ONS', extractedOn: '2011-10-02', completeUpTo: '2099-12-31' })).toEqual({
      status: 422,
      body: { code: 'complete-up-to-after-extract', message: expect.any(String), field: 'completeUpTo' },
    });
  });

  it('refused corrections: { code, field, message }, 400 for the body and 422 for the date', async () => {
    const url = `${ingest}/registry/completeness-corrections`;
    expect(await post(url, 'registry-admin', { source: 'ONS', reason: 'x' })).toEqual({
      status: 400,
      body: { code: 'invalid-request', field: 'completeUpTo', message: expect.stringMatching(/completeUpTo/) },
    });
    expect(await post(url, 'registry-admin', { source: 'ONS', completeUpTo: '2099-12-31', reason: 'x' })).toEqual({
      status: 422,
      body: { code: 'complete-up-to-in-future', field: 'completeUpTo', message: expect.stringMatching(/after today/) },
    });
  });
});
