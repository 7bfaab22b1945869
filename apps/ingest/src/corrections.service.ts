import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Principal } from '@trial/auth';
import { CompletenessCorrection, TopicNames } from '@trial/contracts';
import { correctionFor, publishCorrection } from '@trial/ingest';
import { CLOCK, Clock, PRODUCER, TOPICS } from '@trial/platform';
import { CorrectionRefused } from './ingest-errors.filter';

/**
 * A registry-admin's completeness correction: checked by correctionFor (refused: thrown as
 * CorrectionRefused), then audited and published as a `completeness-correction` notification.
 */
@Injectable()
export class CorrectionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async correct(body: unknown, user: Principal): Promise<CompletenessCorrection> {
    const c = correctionFor(body, { correctionId: randomUUID(), correctedBy: user.sub, now: this.now() });
    if (!c.ok) throw new CorrectionRefused(c.error);
    await publishCorrection(
      { transaction: (work) => this.ds.transaction((tx) => work(tx)), producer: this.producer, topics: this.topics },
      c.value,
      user.role,
    );
    return c.value;
  }
}
