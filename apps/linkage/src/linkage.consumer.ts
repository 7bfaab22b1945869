import { Controller, Inject, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Producer } from 'kafkajs';
import { EnrollmentEvent, RegistryNotification, TopicNames, PatientRandomised, RegistryRecord, DeathLinked } from '@trial/contracts';
import { PartitionBatch, Log } from '@trial/messaging';
import { applyWithCheckpoint, enqueue, OutboxRelay } from '@trial/storage';
import { CLOCK, Clock, LOG, PRODUCER, TOPICS } from '@trial/platform';
import { exactNhsLink, outcomeEventId } from './exact-link';

const CONSUMER = 'linkage';

/**
 * Walking-skeleton linkage: patients and registry records are stored as they arrive from
 * either topic, and a death is linked when a valid NHS number matches exactly — whichever
 * came first. Outcome events leave through the outbox, in the same transaction.
 */
@Controller()
export class LinkageConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(LOG) log: Log,
    @Inject(PRODUCER) producer: Producer,
  ) {
    this.relay = new OutboxRelay(ds, producer, log);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  @EventPattern('enrollments')
  async onEnrollments(batch: PartitionBatch<EnrollmentEvent>): Promise<void> {
    await applyWithCheckpoint(this.ds, CONSUMER, batch.topic, batch.partition, batch.messages, batch.lastOffset, async (tx, fresh) => {
      for (const { value: e } of fresh) {
        if (e.type !== 'PatientRandomised') continue;
        await tx.query(
          `insert into linkage_patients (trial_id, patient_id, nhs_number, chi_number, randomised_on, details)
           values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
          [e.trialId, e.patientId, e.nhsNumber, e.chiNumber, e.randomisedOn, JSON.stringify(e)]);
        const pending = (await tx.query(
          `select record from linkage_records where nhs_number = $1 and linked_patient_id is null and kind = 'death'`,
          [e.nhsNumber])) as Array<{ record: RegistryRecord }>;
        for (const { record } of pending) await this.link(tx, e, record);
      }
    });
    this.relay.kick();
  }

  @EventPattern('notifications')
  async onNotifications(batch: PartitionBatch<RegistryNotification>): Promise<void> {
    await applyWithCheckpoint(this.ds, CONSUMER, batch.topic, batch.partition, batch.messages, batch.lastOffset, async (tx, fresh) => {
      for (const { value: n } of fresh) {
        if (n.kind !== 'death') continue;
        const stored = (await tx.query(
          `insert into linkage_records (source, record_id, version, kind, nhs_number, chi_number, record)
           values ($1, $2, $3, $4, $5, $6, $7) on conflict (source, record_id) do nothing returning record_id`,
          [n.source, n.recordId, n.version, n.kind, n.nhsNumber, n.chiNumber, JSON.stringify(n)])) as unknown[];
        if (!stored.length) continue;
        const patients = (await tx.query(
          `select details from linkage_patients where nhs_number = $1`, [n.nhsNumber])) as Array<{ details: PatientRandomised }>;
        // A person enrolled in two trials is an outcome in both.
        for (const p of patients.map((x) => x.details).filter((x) => exactNhsLink(x, n))) await this.link(tx, p, n);
      }
    });
    this.relay.kick();
  }

  private async link(tx: EntityManager, p: PatientRandomised, r: RegistryRecord): Promise<void> {
    if (!exactNhsLink(p, r) || !r.dateOfDeath) return;
    await tx.query(
      `update linkage_records set linked_trial_id = $1, linked_patient_id = $2 where source = $3 and record_id = $4`,
      [p.trialId, p.patientId, r.source, r.recordId]);
    const event: DeathLinked = {
      v: 1, type: 'DeathLinked', eventId: outcomeEventId('DeathLinked', p, r), trialId: p.trialId, patientId: p.patientId,
      occurredAt: this.now(), source: r.source, recordId: r.recordId, version: r.version,
      dateOfDeath: r.dateOfDeath, underlyingCause: r.underlyingCause,
      evidence: { method: 'deterministic', modelVersion: 'exact-nhs-v1', weight: null, fields: { nhsNumber: { level: 'exact', weight: 0 } } },
    };
    await enqueue(tx, [{ topic: this.topics.outcomes, key: `${p.trialId}:${p.patientId}`, value: event }]);
  }
}
