import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cross-trial identifier conflicts: when a record links by number to a patient of one trial,
 * a look-alike with another number in a second trial goes to review instead of linking, and
 * the decision (lk_decisions) and the review item (lk_reviews) keep which other trials' patients
 * own the record: `[{ trialId, patientId }]`, empty for every other decision. Trial patient ids
 * only, like lk_decisions.patient_id: no identifying data.
 */
export class LinkageCompeting1764100013000 implements MigrationInterface {
  name = 'LinkageCompeting1764100013000';

  async up(q: QueryRunner): Promise<void> {
    // A default, so rows written before (and by a service not yet upgraded) read as "none".
    await q.query(`alter table lk_decisions add column competing jsonb not null default '[]'::jsonb`);
    await q.query(`alter table lk_reviews add column competing jsonb not null default '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table lk_reviews drop column competing');
    await q.query('alter table lk_decisions drop column competing');
  }
}
