import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The patient read model's JSON columns (rm_patients.state, followup and guard, and
 * rm_patient_history.state) become `json`: the text as written, checked but not parsed into
 * jsonb's binary form. Nothing queries inside them (the projector reads them whole and compares
 * them in code); writing them is what costs. `followup replay` writes a row per patient, and
 * jsonb's parse of those rows was a third of Postgres's work in a replay of 1,000,000 events
 * (bench:replay, README). Where two of them are compared in SQL (replay over held rows), both
 * sides are cast to jsonb, which compares content and ignores key order as before.
 */
export class PatientJson1764100029000 implements MigrationInterface {
  name = 'PatientJson1764100029000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table rm_patients alter column state type json, alter column followup type json, alter column guard type json`);
    await q.query(`alter table rm_patient_history alter column state type json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table rm_patient_history alter column state type jsonb`);
    await q.query(`alter table rm_patients alter column state type jsonb, alter column followup type jsonb, alter column guard type jsonb`);
  }
}
