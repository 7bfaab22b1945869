import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Looks safe across API processes: the API reserves look n of a trial here, in
 * the transaction that decides it, before it publishes InterimLookTaken, so two API processes
 * cannot both publish look n (the projector would dead-letter one after both answered 202). The
 * primary key is the backstop; the deciding transaction holds an advisory lock on the trial.
 * The frozen looks gain the closed report's figures at the look's asOf.
 */
export class LookReservations1764100028140 implements MigrationInterface {
  name = 'LookReservations1764100028140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create table look_reservations (
      trial_id text not null, look int not null check (look >= 1), event jsonb not null, reserved_at timestamptz not null,
      primary key (trial_id, look))`);
    await q.query('alter table rm_looks add column closed jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_looks drop column closed');
    await q.query('drop table look_reservations');
  }
}
