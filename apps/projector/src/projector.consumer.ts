import { Controller } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnrollmentEvent, OutcomeEvent } from '@trial/contracts';
import { PartitionBatch } from '@trial/messaging';
import { applyWithCheckpoint, firstTime } from '@trial/storage';

const CONSUMER = 'projector';

/**
 * Projects enrolments and outcome events into the read models. Each partition batch is
 * applied with its checkpoint in one transaction, and outcome events are also deduplicated
 * by event id (the linkage outbox may resend one after a crash).
 */
@Controller()
export class ProjectorConsumer {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @EventPattern('enrollments')
  async onEnrollments(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    await applyWithCheckpoint(this.ds, CONSUMER, batch.topic, batch.partition, batch.messages, batch.lastOffset, async (tx, fresh) => {
      for (const { value: e } of fresh) {
        switch (e.type) {
          case 'TrialRegistered':
            await tx.query(`insert into read_trials (trial_id, design) values ($1, $2) on conflict (trial_id) do update set design = excluded.design`,
              [e.trialId, JSON.stringify(e)]);
            break;
          case 'PatientRandomised':
            await tx.query(
              `insert into read_patients (trial_id, patient_id, arm, site, randomised_on) values ($1, $2, $3, $4, $5)
               on conflict do nothing`, [e.trialId, e.patientId, e.arm, e.site, e.randomisedOn]);
            break;
          case 'PatientDetailsCorrected':
          case 'PatientSeenAlive':
          case 'ConsentWithdrawn':
            break;
          default: {
            const never: never = e;
            throw new Error(`unhandled enrolment event ${JSON.stringify(never)}`);
          }
        }
      }
    });
  }

  @EventPattern('outcomes')
  async onOutcomes(batch: PartitionBatch<OutcomeEvent>): Promise<void> {
    await applyWithCheckpoint(this.ds, CONSUMER, batch.topic, batch.partition, batch.messages, batch.lastOffset, async (tx, fresh) => {
      for (const { value: e } of fresh) {
        if (!(await firstTime(tx, CONSUMER, e.eventId))) continue;
        if (e.type === 'DeathLinked') {
          // The earliest death counts when a patient has two registrations.
          await tx.query(
            `update read_patients set died_on = $3, death_record = $4
             where trial_id = $1 and patient_id = $2 and (died_on is null or died_on > $3)`,
            [e.trialId, e.patientId, e.dateOfDeath, `${e.source}:${e.recordId}`]);
        }
      }
    });
  }
}
