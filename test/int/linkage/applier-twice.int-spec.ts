// The bulk LinkageApplier applied to the same batches twice (a redelivery the
// checkpoint did not catch, e.g. a file ingested twice) changes nothing: no event, no link, no
// count for λ. Against the real database.
import { DataSource } from 'typeorm';
import { EnrollmentEvent, RegistryNotification, enrollmentEvent, registryNotification } from '@trial/contracts';
import { LinkageApplier, PatientMirror } from '@trial/linkage-service';
import { createDataSource, migrate } from '@trial/storage';
import { TEST_DATABASE_URL, uniqueId } from '../../support';
import { person, randomised, record } from './fixtures';

describe('linkage: a batch applied twice', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await createDataSource(TEST_DATABASE_URL, { poolSize: 4 }).initialize();
    await migrate(ds);
  });
  afterAll(async () => ds?.destroy());

  it('adds no event, link, review or λ count the second time', async () => {
    const scope = uniqueId('twice-');
    const topic = `${scope}followup.outcomes`;
    const trial = uniqueId('TWC');
    const [a, b, c] = [person(trial), person(trial, { randomisedOn: '2010-01-01' }), person(trial)];
    const enrolments = [a, b, c].map((p) => enrollmentEvent.parse(randomised(p)) as EnrollmentEvent);
    const deathOfC = record(c);
    const notes = [
      record(a),
      record(b),
      deathOfC,
      { ...deathOfC, version: 2, kind: 'death-cancelled' },
      { v: 1, source: 'ONS', kind: 'extract-complete', completeUpTo: '2011-09-30' },
    ].map((n) => registryNotification.parse(n) as RegistryNotification);
    const mirror = new PatientMirror();
    const apply = () =>
      ds.transaction(async (tx) => {
        const x = new LinkageApplier(tx, scope, topic, '2026-01-01T00:00:00.000Z', () => undefined, { mirror, writer: 'test:0' });
        await x.begin();
        const poison = [...(await x.enrollments(enrolments)), ...(await x.notifications(notes))];
        expect(poison).toEqual([]);
        return x.finish();
      });
    const state = async () => ({
      links: await ds.query(
        `select source, record_id, trial_id, status, patient_id, version, review_id, emitted, seq from lk_links where scope = $1 order by 1, 2, 3`,
        [scope],
      ),
      reviews: await ds.query(`select review_id, status from lk_reviews where scope = $1 order by 1`, [scope]),
      counts: await ds.query(
        `select source, trial_id, writer, records, records_with_number, deterministic from lk_prior_counts where scope = $1 order by 1, 2, 3`,
        [scope],
      ),
      outbox: await ds.query(`select count(*)::int as n from outbox where topic = $1`, [topic]),
      seq: await ds.query(`select patient_id, seq from lk_outcome_seq where scope = $1 order by 1`, [scope]),
    });
    try {
      const first = await apply();
      // DeathLinked (a); review (b, death before randomisation); DeathLinked then DeathWithdrawn (c); the extract completed.
      expect(first.events).toBe(5);
      const before = await state();
      expect(before.counts).toEqual([
        { source: 'ONS', trial_id: '', writer: 'test:0', records: '3', records_with_number: '3', deterministic: '0' },
        { source: 'ONS', trial_id: trial, writer: 'test:0', records: '0', records_with_number: '0', deterministic: '3' },
      ]);
      const second = await apply();
      expect(second).toMatchObject({ events: 0, decided: 0, duplicates: enrolments.length + notes.length });
      expect(await state()).toEqual(before);
    } finally {
      await ds.query(`update outbox set sent_at = now() where topic = $1 and sent_at is null`, [topic]);
    }
  });
});
