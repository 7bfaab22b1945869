import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { apiModule } from '../../../apps/api/src/app.module';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { TopicNames } from '@trial/contracts';
import { signToken } from '@trial/auth';
import { eventually, privateTopics, startInProcess, testConfig, testKafka, uniqueId } from '../../support';
import { collect, enrolKey, person, randomised, record, recordKey, send } from './fixtures';

const SECRET = 'test-secret-test-secret-test-secret-0123';

/**
 * Clerical review through the API and the real broker: the queue shows the record and its
 * candidates side by side; accept links (method clerical), reject leaves the record unlinked;
 * both travel as ReviewDecided on linkage.reviews and are applied by the linkage service.
 */
describe('clerical review via the API (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let apps: INestApplication[] = [];
  let api: string;
  let outcomes: Awaited<ReturnType<typeof collect>>;
  const trialId = uniqueId('REV');
  const reviewer = signToken(SECRET, { sub: 'dr-review', role: 'reviewer', ttlSeconds: 600 });
  const dsmb = signToken(SECRET, { sub: 'dsmb', role: 'dsmb', ttlSeconds: 600 });
  const call = (path: string, token: string, body?: unknown) =>
    fetch(`${api}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'reviews'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    outcomes = await collect(kafka, topics.outcomes);
    apps.push((await startInProcess(linkageModule, testConfig(prefix), `linkage-${trialId}`)).app);
    const started = await startInProcess(apiModule, testConfig(prefix));
    apps.push(started.app);
    api = started.url;
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
    apps = [];
    await outcomes.stop();
    await producer.disconnect();
    await drop();
  });

  async function queued(patientId: string) {
    return eventually(async () => {
      const res = await call('/reviews', reviewer);
      const list = (await res.json()) as Array<{ reviewId: string; candidates: Array<{ patientId: string }> }>;
      return list.find((r) => r.candidates.some((c) => c.patientId === patientId));
    }, `a review for ${patientId}`);
  }

  it('lists the queue side by side, only for reviewers, and links on accept', async () => {
    const p = person(trialId, { randomisedOn: '2010-01-01' });
    await send(producer, topics.enrollments, [randomised(p)], enrolKey);
    const r = record(p, { dateOfDeath: '2009-12-01' });
    await send(producer, topics.notifications, [r], recordKey);
    const item = (await queued(p.patientId)) as unknown as {
      reason: string;
      record: unknown;
      reviewId: string;
      candidates: Array<{ fields: { identifier: { level: string } } }>;
    };
    expect(item.reason).toBe('death-before-randomisation');
    expect(item.record).toMatchObject({ recordId: r.recordId, nhsNumber: p.nhsNumber, dateOfDeath: '2009-12-01' });
    expect(item.candidates[0]).toMatchObject({ patientId: p.patientId, patient: { nhsNumber: p.nhsNumber, randomisedOn: '2010-01-01' } });
    expect(item.candidates[0].fields.identifier.level).toBe('exact');
    expect((await call('/reviews', dsmb)).status).toBe(403);
    // The waterfall's figures (the prior, then each field), and every view of an item audited.
    const one = (await (await call(`/reviews/${item.reviewId}`, reviewer)).json()) as {
      prior: { lambda: number; weight: number } | null;
      candidates: Array<{ weight: number; fields: Record<string, { weight: number }> }>;
    };
    expect(one.prior!.weight).toBeCloseTo(Math.log2(one.prior!.lambda / (1 - one.prior!.lambda)), 10);
    const fields = Object.values(one.candidates[0].fields);
    const sum = one.prior!.weight + fields.reduce((s, f) => s + f.weight, 0);
    // Each field and the total are rounded to 0.01 bits apart: at most half that each.
    expect(Math.abs(sum - one.candidates[0].weight)).toBeLessThanOrEqual(0.005 * (fields.length + 1) + 0.005);
    expect((await call(`/reviews/${item.reviewId}`, dsmb)).status).toBe(403);
    const audit = (await (await call(`/audit?trialId=${trialId}`, dsmb)).json()) as Array<{ view: string; sub: string; query: unknown }>;
    expect(audit.filter((a) => a.view === 'review')).toEqual([expect.objectContaining({ sub: 'dr-review', query: { reviewId: item.reviewId } })]);
    // The queue's open items carry identifiers too: listing it is audited (no trial: it spans trials).
    const all = (await (await call('/audit?limit=1000', dsmb)).json()) as Array<{
      view: string;
      sub: string;
      trialId: string | null;
      query: Record<string, unknown>;
    }>;
    expect(all.find((a) => a.view === 'review-list' && a.sub === 'dr-review')).toMatchObject({ trialId: null, query: { status: 'open' } });
    expect((await call(`/reviews/${item.reviewId}/decision`, reviewer, { decision: 'maybe' })).status).toBe(400);
    expect((await call(`/reviews/${item.reviewId}/decision`, reviewer, { decision: 'accept', patientId: 'nobody' })).status).toBe(422);
    const res = await call(`/reviews/${item.reviewId}/decision`, reviewer, {
      decision: 'accept',
      patientId: p.patientId,
      note: 'checked the certificate',
    });
    expect(res.status).toBe(202);
    await eventually(
      async () => (outcomes.seen.some((e) => e.patientId === p.patientId && e.type === 'DeathLinked') ? true : undefined),
      'the clerical link',
    );
    const linked = outcomes.seen.find((e) => e.patientId === p.patientId && e.type === 'DeathLinked') as {
      evidence: { method: string; reviewer: string };
    };
    expect(linked.evidence).toMatchObject({ method: 'clerical', reviewer: 'dr-review' });
    const after = (await (await call(`/reviews/${item.reviewId}`, reviewer)).json()) as { status: string; decision: { decidedBy: string } };
    expect(after).toMatchObject({ status: 'accepted', decision: { decidedBy: 'dr-review' } });
    // Identifiers only while an item is in the queue; a decided one keeps its evidence and dates.
    const gone = { nhsNumber: null, chiNumber: null, dateOfBirth: null, familyName: null, givenNames: null, postcode: null };
    const decided = (await (await call(`/reviews?status=accepted`, reviewer)).json()) as Array<{
      reviewId: string;
      record: unknown;
      candidates: Array<{ patient: unknown; fields: unknown }>;
    }>;
    const mine = decided.find((d) => d.reviewId === item.reviewId)!;
    expect(mine.record).toMatchObject({ ...gone, recordId: r.recordId, dateOfDeath: '2009-12-01' });
    expect(mine.candidates[0]).toMatchObject({ patientId: p.patientId, patient: { ...gone, randomisedOn: '2010-01-01' } });
    expect(mine.candidates[0].fields).toEqual(item.candidates[0].fields);
    expect(JSON.stringify(await (await call(`/reviews/${item.reviewId}`, reviewer)).json())).not.toContain(p.nhsNumber);
    expect((await call(`/reviews/${item.reviewId}/decision`, reviewer, { decision: 'reject' })).status).toBe(409);
  });

  it('leaves the record unlinked on reject', async () => {
    const p = person(trialId, { randomisedOn: '2010-01-01' });
    await send(producer, topics.enrollments, [randomised(p)], enrolKey);
    await send(producer, topics.notifications, [record(p, { dateOfDeath: '2009-11-01' })], recordKey);
    const item = await queued(p.patientId);
    expect((await call(`/reviews/${item.reviewId}/decision`, reviewer, { decision: 'reject' })).status).toBe(202);
    await eventually(async () => {
      const r = (await (await call(`/reviews/${item.reviewId}`, reviewer)).json()) as { status: string };
      return r.status === 'rejected' ? true : undefined;
    }, 'the rejection applied');
    expect(outcomes.seen.filter((e) => e.patientId === p.patientId).map((e) => e.type)).toEqual(['LinkageReviewRequested']);
  });
});
