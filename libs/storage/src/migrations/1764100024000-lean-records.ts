import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record's blocking keys move from lk_record_keys (one row per
 * key, two btree entries each: about four rows and eight index entries per notification, the
 * largest write of a batch) into an array on the record's own row, lk_records.keys, under a
 * GIN index. The batch already writes that row, so the keys cost no statement, no delete and
 * no rows of their own; GIN's pending list takes a batch's entries in one append and merges
 * them in bulk. A patient change finds the records sharing one of its keys by `keys && $keys`.
 *
 * lk_records.record goes: it copied the current version's content, which lk_record_versions
 * holds already (written in the same transaction); lk_records names the version and readers
 * join. One JSON copy of each notification is written instead of two.
 */
export class LeanRecords1764100024000 implements MigrationInterface {
  name = 'LeanRecords1764100024000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table lk_records add column keys text[] not null default '{}'`);
    await q.query(`update lk_records r set keys = k.keys
      from (select scope, source, record_id, array_agg(key order by key) as keys from lk_record_keys group by scope, source, record_id) k
      where r.scope = k.scope and r.source = k.source and r.record_id = k.record_id`);
    await q.query('create index lk_records_keys on lk_records using gin (keys)');
    await q.query('drop table lk_record_keys');
    await q.query('alter table lk_records drop column record');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table lk_records add column record jsonb');
    await q.query(`update lk_records r set record = v.record from lk_record_versions v
      where v.scope = r.scope and v.source = r.source and v.record_id = r.record_id and v.version = r.version`);
    await q.query('alter table lk_records alter column record set not null');
    await q.query(`create table lk_record_keys (
      scope text not null, key text not null, source text not null, record_id text not null,
      primary key (scope, key, source, record_id))`);
    await q.query('create index lk_record_keys_record on lk_record_keys (scope, source, record_id)');
    await q.query(`insert into lk_record_keys (scope, key, source, record_id)
      select scope, k, source, record_id from lk_records, unnest(keys) k on conflict do nothing`);
    await q.query('drop index lk_records_keys');
    await q.query('alter table lk_records drop column keys');
  }
}
