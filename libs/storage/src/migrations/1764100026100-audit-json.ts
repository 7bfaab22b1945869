import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The decision audit's evidence columns (lk_decisions.fields,
 * candidates, competing) become `json`, from `jsonb`.
 *
 * Why: every decision is audited, unlinked ones too, with up to five candidates' per-field
 * evidence, about 1.5 KB of JSON a notification; building jsonb from it (parse, sort keys,
 * binary encode) was the largest share of Postgres' work in a batch, twice what the rest of
 * the row costs. The audit is written once and read whole (tests, an auditor), never queried
 * by its keys or indexed on them: `json` keeps the text as the service wrote it after checking
 * that it is JSON, and node-postgres reads both types as the same objects.
 */
export class AuditJson1764100026100 implements MigrationInterface {
  name = 'AuditJson1764100026100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table lk_decisions alter column fields type json using fields::json,
      alter column candidates type json using candidates::json, alter column competing type json using competing::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table lk_decisions alter column fields type jsonb using fields::jsonb,
      alter column candidates type jsonb using candidates::jsonb, alter column competing type jsonb using competing::jsonb`);
  }
}
