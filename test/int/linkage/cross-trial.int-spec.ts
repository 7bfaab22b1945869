import { INestApplication } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { linkageModule } from '../../../apps/linkage/src/app.module';
import { TopicNames } from '@trial/contracts';
import { modulus11CheckDigit } from '@trial/linkage';
import { eventually, privateTopics, startInProcess, testConfig, testKafka, TEST_DATABASE_URL, uniqueId } from '../../support';
import { Person, collect, enrolKey, nhs, person, randomised, record, recordKey, send, waitForTypes } from './fixtures';

/**
 * One death, two trials. Linkage decides each trial on its own candidates, so a death owned by
 * its NHS number in trial 1 must not also link by name, date of birth, sex and postcode to a
 * look-alike with ANOTHER valid NHS number in trial 2 (that one goes to review,
 * identifier-conflict), whichever arrives first. The same person co-enrolled in trial 2 without
 * an NHS number is not a look-alike: the death links in both trials.
 */
describe('linkage across trials (real Kafka and Postgres)', () => {
  const kafka = testKafka();
  let topics: TopicNames;
  let prefix: string;
  let drop: () => Promise<void>;
  let producer: Producer;
  let db: Client;
  let app: INestApplication | null = null;
  let outcomes: Awaited<ReturnType<typeof collect>>;
  const trial1 = uniqueId('XT1');
  const trial2 = uniqueId('XT2');

  const enrol = (vs: Record<string, unknown>[]) => send(producer, topics.enrollments, vs, enrolKey);
  const notify = (vs: Record<string, unknown>[]) => send(producer, topics.notifications, vs, recordKey);
  // Patient ids are unique per suite, but an event's trial is checked too: the same person's
  // streams in two trials are two streams.
  const eventsOf = (p: Person) => outcomes.seen.filter((e) => e.trialId === p.trialId && e.patientId === p.patientId);
  const typesOf = (p: Person) => eventsOf(p).map((e) => e.type);
  const waitTypes = (p: Person, expected: string[], what: string) => waitForTypes(() => typesOf(p), expected, what);
  /** Waits until the service has stored these patients: enrolment itself publishes nothing. */
  const applied = (ps: Person[]) =>
    eventually(
      async () => {
        const r = await db.query(`select count(*)::int as n from lk_patients where scope = $1 and patient_id = any($2::text[])`, [
          prefix,
          ps.map((p) => p.patientId),
        ]);
        return (r.rows[0] as { n: number }).n === ps.length ? true : undefined;
      },
      `patients ${ps.map((p) => p.patientId).join(', ')} stored`,
    );

  /** The trial-1 patient, and in trial 2 the same details under another valid NHS number. */
  const lookAlikes = (): [Person, Person] => {
    const a = person(trial1);
    return [a, { ...a, trialId: trial2, patientId: uniqueId('LA'), nhsNumber: nhs() }];
  };
  /** The trial-1 patient, and the same person in trial 2 known there by a CHI number only. */
  const coEnrolled = (): [Person, Person, Record<string, unknown>] => {
    const a = person(trial1);
    const c = { ...a, trialId: trial2, patientId: uniqueId('CO') };
    return [a, c, { ...randomised(c), nhsNumber: null, chiNumber: chiFor(c) }];
  };

  beforeAll(async () => {
    ({ topics, prefix, drop } = await privateTopics(kafka, 'xtrial'));
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    outcomes = await collect(kafka, topics.outcomes);
    app = (await startInProcess(linkageModule, testConfig(prefix), `linkage-${trial1}`)).app;
  });

  afterAll(async () => {
    await app?.close();
    await outcomes.stop();
    await producer.disconnect();
    await db.end();
    await drop();
  });

  it('links in trial 1 only and queues trial 2 for review when both patients are there first', async () => {
    const [a, b] = lookAlikes();
    await enrol([randomised(a), randomised(b)]);
    await applied([a, b]);
    const death = record(a);
    await notify([death]);
    await waitTypes(a, ['DeathLinked'], 'the owner by number');
    await waitTypes(b, ['LinkageReviewRequested'], 'the look-alike');
    expect(eventsOf(a)[0]).toMatchObject({ recordId: death.recordId, evidence: { method: 'deterministic' } });
    const review = eventsOf(b)[0] as {
      reviewId: string;
      reason: string;
      candidates: Array<{ patientId: string; fields: Record<string, { level: string }> }>;
    };
    expect(review.reason).toBe('identifier-conflict');
    expect(review.candidates[0]).toMatchObject({ patientId: b.patientId, fields: { identifier: { level: 'other' } } });
    const rows = await db.query(`select trial_id as "trialId", status, competing from lk_reviews where scope = $1 and review_id = $2`, [
      prefix,
      review.reviewId,
    ]);
    expect(rows.rows).toEqual([{ trialId: trial2, status: 'open', competing: [{ trialId: trial1, patientId: a.patientId }] }]);
  });

  it('withdraws a trial-2 link and queues it for review when the trial-1 owner arrives later', async () => {
    const [a, b] = lookAlikes();
    await enrol([randomised(b)]);
    await applied([b]);
    await notify([record(a)]);
    // Until the owner is randomised nothing says the death is someone else's.
    await waitTypes(b, ['DeathLinked'], 'the look-alike, alone');
    await enrol([randomised(a)]);
    await waitTypes(a, ['DeathLinked'], 'the owner arriving late');
    await waitTypes(b, ['DeathLinked', 'DeathWithdrawn', 'LinkageReviewRequested'], 'the look-alike after the owner');
    expect(eventsOf(b)[1]).toMatchObject({ reason: 'relinked' });
    expect(eventsOf(b)[2]).toMatchObject({ reason: 'identifier-conflict' });
    const links = await db.query(
      `select trial_id as "trialId", status, patient_id as "patientId", emitted is null as "nothingLive" from lk_links where scope = $1 and record_id = $2 order by 1`,
      [prefix, eventsOf(a)[0].recordId],
    );
    expect(links.rows).toEqual([
      { trialId: trial1, status: 'linked', patientId: a.patientId, nothingLive: false },
      { trialId: trial2, status: 'review', patientId: b.patientId, nothingLive: true },
    ]);
  });

  it('links the death in both trials when the trial-2 patient is the same person without an NHS number', async () => {
    const [a, c, enrolC] = coEnrolled();
    await enrol([randomised(a), enrolC]);
    await applied([a, c]);
    await notify([record(a)]);
    await waitTypes(a, ['DeathLinked'], 'trial 1');
    await waitTypes(c, ['DeathLinked'], 'trial 2');
    expect(eventsOf(c)[0]).toMatchObject({ evidence: { method: 'probabilistic', fields: { identifier: { level: 'absent' } } } });
  });

  it('keeps the co-enrolled link in trial 2 when the trial-1 patient arrives later', async () => {
    const [a, c, enrolC] = coEnrolled();
    await enrol([enrolC]);
    await applied([c]);
    await notify([record(a)]);
    await waitTypes(c, ['DeathLinked'], 'trial 2 alone');
    await enrol([randomised(a)]);
    await waitTypes(a, ['DeathLinked'], 'trial 1 later');
    // The record was re-decided in trial 2 as well (its audit shows it) and stayed linked.
    await eventually(async () => {
      const r = await db.query(
        `select count(*)::int as n from lk_decisions where scope = $1 and trial_id = $2 and record_id = $3 and cause = 'patient-randomised'`,
        [prefix, trial2, eventsOf(a)[0].recordId],
      );
      return (r.rows[0] as { n: number }).n > 0 ? true : undefined;
    }, 'the trial-2 re-decision');
    await new Promise((r) => setTimeout(r, 500));
    expect(typesOf(c)).toEqual(['DeathLinked']);
  });
});

/** A valid CHI number for the person: DDMMYY of the date of birth, sex digit, Modulus 11. */
function chiFor(p: Person): string {
  const [y, m, d] = p.dateOfBirth.split('-');
  for (let serial = 10; ; serial++) {
    const first9 = `${d}${m}${y.slice(2)}${String(serial).padStart(2, '0')}${p.sex === 'M' ? 1 : 2}`;
    const check = modulus11CheckDigit(first9);
    if (check !== null) return first9 + String(check);
  }
}
