import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { deadLetterRecord, TopicNames } from '@trial/contracts';
import { eventually, privateTopics, readAll, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { collect, enrolKey, person, randomised, record, recordKey, send, waitForTypes } from './fixtures';

/**
 * The linkage service through the real broker and database: each notification kind of
 * feeds.md changes the outcome stream as it says, whatever the arrival order, and a
 * redelivery or a restart adds nothing.
 */
describe('linkage service (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let db: Client;
  let app: INestApplication | null = null;
  let outcomes: Awaited<ReturnType<typeof collect>>;
  const trialId = uniqueId('LNK');
  const group = `linkage-${trialId}`;

  const start = async () => {
    app = (await startInProcess(linkageModule, testConfig(prefix), group)).app;
  };
  const enrol = (vs: Record<string, unknown>[]) => send(producer, topics.enrollments, vs, enrolKey);
  const notify = (vs: Record<string, unknown>[]) => send(producer, topics.notifications, vs, recordKey);
  const eventsOf = (patientId: string) => outcomes.seen.filter((e) => e.patientId === patientId);
  const typesOf = (patientId: string) => eventsOf(patientId).map((e) => e.type);
  const waitTypes = (patientId: string, expected: string[], what: string, inAnyOrder = false) =>
    waitForTypes(() => typesOf(patientId), expected, what, inAnyOrder);

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'linkage'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    outcomes = await collect(kafka, topics.outcomes);
    await start();
  });

  afterAll(async () => {
    await app?.close();
    await outcomes.stop();
    await producer.disconnect();
    await db.end();
    await drop();
  });

  it('links a death whichever of patient and record arrives first', async () => {
    const early = person(trialId);
    const late = person(trialId);
    await notify([record(early)]);
    await enrol([randomised(late)]);
    await new Promise((r) => setTimeout(r, 500));
    await enrol([randomised(early)]);
    await notify([record(late)]);
    await waitTypes(early.patientId, ['DeathLinked'], 'record before patient');
    await waitTypes(late.patientId, ['DeathLinked'], 'patient before record');
    const linked = eventsOf(early.patientId)[0] as { evidence: { method: string; modelVersion: string; fields: Record<string, unknown> } };
    expect(linked.evidence.method).toBe('deterministic');
    expect(linked.evidence.modelVersion).toMatch(/\S/);
    expect(Object.keys(linked.evidence.fields)).toEqual(expect.arrayContaining(['identifier', 'dateOfBirth', 'familyName']));
  });

  it('amends a death with a new version, and withdraws it when cancelled', async () => {
    const p = person(trialId);
    const v1 = record(p);
    await enrol([randomised(p)]);
    await notify([v1]);
    await waitTypes(p.patientId, ['DeathLinked'], 'v1');
    await notify([{ ...v1, version: 2, dateOfDeath: '2009-07-02', underlyingCause: 'I50.0' }]);
    await waitTypes(p.patientId, ['DeathLinked', 'DeathAmended'], 'v2');
    expect(eventsOf(p.patientId)[1]).toMatchObject({ dateOfDeath: '2009-07-02', underlyingCause: 'I50.0', version: 2 });
    // An older version delivered late changes nothing; the same version again changes nothing.
    await notify([v1, { ...v1, version: 2, dateOfDeath: '2009-07-02', underlyingCause: 'I50.0' }]);
    await notify([{ ...v1, version: 3, kind: 'death-cancelled' }]);
    await waitTypes(p.patientId, ['DeathLinked', 'DeathAmended', 'DeathWithdrawn'], 'v3 cancelled');
    expect(eventsOf(p.patientId)[2]).toMatchObject({ reason: 'cancelled', version: 3 });
  });

  it('withdraws a death when the cancellation carries no date of death (feeds.md rejects only a death without one)', async () => {
    const p = person(trialId);
    const v1 = record(p);
    await enrol([randomised(p)]);
    await notify([v1]);
    await waitTypes(p.patientId, ['DeathLinked'], 'v1');
    await notify([{ ...v1, version: 2, kind: 'death-cancelled', dateOfDeath: null, dateOfRegistration: null, underlyingCause: null }]);
    await waitTypes(p.patientId, ['DeathLinked', 'DeathWithdrawn'], 'v2 cancelled, no date');
    expect(eventsOf(p.patientId)[1]).toMatchObject({ type: 'DeathWithdrawn', reason: 'cancelled', version: 2 });
  });

  it('opens and closes a censoring interval on embarkation and re-entry, and flags no-trace', async () => {
    const p = person(trialId);
    await enrol([randomised(p)]);
    await notify([
      record(p, {
        kind: 'embarkation',
        dateOfDeath: null,
        dateOfRegistration: null,
        underlyingCause: null,
        placeOfDeath: null,
        eventDate: '2008-03-01',
      }),
      record(p, {
        kind: 're-entry',
        dateOfDeath: null,
        dateOfRegistration: null,
        underlyingCause: null,
        placeOfDeath: null,
        eventDate: '2009-01-15',
      }),
    ]);
    await waitTypes(p.patientId, ['Embarked', 'ReEntered'], 'embarkation and re-entry', true);
    const q = person(trialId);
    await enrol([randomised(q)]);
    await notify([record(q, { kind: 'no-trace', dateOfDeath: null, dateOfRegistration: null, underlyingCause: null, placeOfDeath: null })]);
    await waitTypes(q.patientId, ['NoTraceFlagged'], 'no-trace');
  });

  it('counts two death registrations once, flagging the conflict', async () => {
    const p = person(trialId);
    await enrol([randomised(p)]);
    const a = record(p, { dateOfDeath: '2009-06-30' });
    const b = record(p, { source: 'ONS', dateOfDeath: '2009-05-01', dateOfRegistration: '2009-05-05' });
    await notify([a, b]);
    await waitTypes(p.patientId, ['DeathLinked', 'DeathLinked', 'DeathConflictFlagged'], 'two deaths');
    expect(eventsOf(p.patientId)[2]).toMatchObject({ recordId: b.recordId, otherRecordIds: [a.recordId] });
  });

  it('sends a death dated before randomisation to review, not into the statistics', async () => {
    const p = person(trialId, { randomisedOn: '2010-01-01' });
    await enrol([randomised(p)]);
    await notify([record(p, { dateOfDeath: '2009-06-30' })]);
    await waitTypes(p.patientId, ['LinkageReviewRequested'], 'review');
    expect(eventsOf(p.patientId)[0]).toMatchObject({ reason: 'death-before-randomisation' });
    const rows = await db.query(`select status from lk_reviews where scope = $1 and review_id = $2`, [prefix, eventsOf(p.patientId)[0].reviewId]);
    expect(rows.rows).toEqual([{ status: 'open' }]);
  });

  it('re-links when PatientDetailsCorrected fixes the identifiers', async () => {
    const truth = person(trialId);
    // Randomised with a mistyped (but valid) NHS number, a wrong date of birth and an old surname.
    const wrong = { ...truth, nhsNumber: person(trialId).nhsNumber, dateOfBirth: '1920-12-25', familyName: 'Zzyzx', postcode: 'ZE3 9XX' };
    await enrol([randomised(wrong)]);
    await notify([record(truth)]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(typesOf(truth.patientId)).toEqual([]);
    await enrol([
      {
        v: 1,
        type: 'PatientDetailsCorrected',
        eventId: uniqueId('ev'),
        trialId,
        patientId: truth.patientId,
        changes: { nhsNumber: truth.nhsNumber, dateOfBirth: truth.dateOfBirth, familyName: truth.familyName },
      },
    ]);
    await waitTypes(truth.patientId, ['DeathLinked'], 'link after correction');
  });

  it('applies nothing about a patient after ConsentWithdrawn', async () => {
    const p = person(trialId);
    await enrol([
      randomised(p),
      { v: 1, type: 'ConsentWithdrawn', eventId: uniqueId('ev'), trialId, patientId: p.patientId, effectiveOn: '2008-01-01' },
    ]);
    const marker = person(trialId);
    await enrol([randomised(marker)]);
    await notify([record(p), record(marker)]);
    await waitTypes(marker.patientId, ['DeathLinked'], 'the marker death');
    const state = await db.query(`select withdrawn_on::text as w from lk_patients where scope = $1 and patient_id = $2`, [prefix, p.patientId]);
    expect(state.rows).toEqual([{ w: '2008-01-01' }]);
    expect(typesOf(p.patientId)).toEqual([]);
  });

  it('sends poison messages to the DLQ and carries on', async () => {
    const p = person(trialId);
    await enrol([randomised(p)]);
    await producer.send({
      topic: topics.notifications,
      messages: [
        { key: 'ONS:bad', value: '{"not json' },
        { key: 'ONS:bad2', value: JSON.stringify({ v: 1, kind: 'death' }) },
      ],
    });
    await producer.send({
      topic: topics.reviews,
      messages: [
        {
          key: 'rv-x',
          value: JSON.stringify({
            v: 1,
            type: 'ReviewDecided',
            eventId: '00000000-0000-4000-8000-000000000001',
            occurredAt: new Date().toISOString(),
            reviewId: 'rv-nope',
            decision: 'accept',
            patientId: null,
            reviewer: 'r',
            note: null,
          }),
        },
      ],
    });
    await notify([record(p)]);
    await waitTypes(p.patientId, ['DeathLinked'], 'the death after the poison');
    const dead = await readAll(kafka, `${topics.notifications}.dlq`, 2);
    expect(dead.map((d) => (d.value as { code: string }).code).sort()).toEqual(['invalid-json', 'invalid-message']);
    const deadReviews = await readAll(kafka, `${topics.reviews}.dlq`, 1);
    expect(deadReviews.map((d) => d.value as { code: string; reason: string })).toEqual([expect.objectContaining({ code: 'unknown-review' })]);
    // One dead-letter schema, and the dlq-* headers on every copy, the outbox's (reviews) too.
    for (const d of [...dead, ...deadReviews]) {
      const letter = deadLetterRecord.parse(d.value);
      expect(d.headers).toEqual({ 'dlq-code': letter.code, 'dlq-reason': letter.reason });
    }
  });

  it('publishes extract-complete as RegistryExtractCompleted once', async () => {
    const ec = { v: 1, source: 'NRS', kind: 'extract-complete', completeUpTo: '2011-09-30' };
    await notify([ec, ec]);
    await eventually(async () => (outcomes.seen.some((e) => e.type === 'RegistryExtractCompleted') ? true : undefined), 'RegistryExtractCompleted');
    await new Promise((r) => setTimeout(r, 500));
    expect(outcomes.seen.filter((e) => e.type === 'RegistryExtractCompleted')).toHaveLength(1);
  });

  it('adds nothing after a restart with every message redelivered', async () => {
    const before = outcomes.seen.length;
    const ids = new Set(outcomes.seen.map((e) => e.eventId));
    expect(ids.size).toBe(before);
    await app!.close();
    app = null;
    const admin = kafka.admin();
    await admin.connect();
    for (const t of [topics.enrollments, topics.notifications, topics.reviews])
      await admin.resetOffsets({ groupId: `${prefix}${group}`, topic: t, earliest: true });
    await start();
    await eventually(async () => {
      for (const t of [topics.enrollments, topics.notifications]) {
        const [committed] = await admin.fetchOffsets({ groupId: `${prefix}${group}`, topics: [t] });
        const ends = await admin.fetchTopicOffsets(t);
        if (!ends.every((e) => e.high === '0' || committed.partitions.find((p) => p.partition === e.partition)?.offset === e.high)) return undefined;
      }
      return true;
    }, 'the redelivered messages to be consumed again');
    await admin.disconnect();
    await new Promise((r) => setTimeout(r, 1000));
    expect(outcomes.seen.length).toBe(before);
    console.log(`outcome events after redelivery and restart: ${outcomes.seen.length} (before: ${before})`);
  });
});
