import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Principal } from '@trial/auth';
import { dlqOf, TopicNames } from '@trial/contracts';
import { filterLetters, readDeadLetters, StoredDeadLetter, summarise } from '@trial/messaging';
import { CLOCK, Clock, KAFKA, PRODUCER, TOPICS } from '@trial/platform';
import { closedLetters, discard, MAX_NOTE, redrive, redriven } from '@trial/storage';
import { DeadLetterDetailDto, DeadLetterDto, DiscardResultDto, RedriveResultDto } from './dto/dead-letters.dto';

const instant = z.iso.datetime({ offset: true });
const filter = z.object({
  topic: z.string().min(1).optional(),
  code: z.string().min(1).optional(),
  since: instant.optional(),
  until: instant.optional(),
});
const ids = z.array(z.string().min(1)).min(1).max(1000);
const redriveBody = z.object({ ids }).strict();
const discardBody = z.object({ ids, note: z.string().trim().min(1).max(MAX_NOTE) }).strict();

/**
 * Dead letters for the operator role, as `followup dlq` shows them: listed
 * by topic, code and time, one shown with its reason and origin, and re-driven to their
 * original topic once the cause is fixed (each original at most once: see redrive), or discarded
 * (closed with a note, audited) when they must not be. Never the
 * original message: it can hold personal data, which this role does not see.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async list(query: Record<string, unknown>): Promise<DeadLetterDto[]> {
    const f = filter.safeParse(query);
    if (!f.success) throw new BadRequestException('topic, code, since and until (ISO 8601 instants) are the filters');
    const [done, closed] = await Promise.all([redriven(this.ds), closedLetters(this.ds)]);
    return filterLetters(await this.letters(), f.data).map((l) => ({
      ...summarise(l),
      redriven: done.get(origin(l)) ?? null,
      closed: closed.get(l.id) ?? null,
    }));
  }

  async one(id: string): Promise<DeadLetterDetailDto> {
    const l = (await this.letters()).find((x) => x.id === id);
    if (!l) throw new NotFoundException(`no dead letter ${id}`);
    return {
      ...summarise(l),
      reason: l.record.reason,
      redriven: (await redriven(this.ds)).get(origin(l)) ?? null,
      closed: (await closedLetters(this.ds)).get(l.id) ?? null,
    };
  }

  async redrive(body: unknown, user: Principal): Promise<RedriveResultDto> {
    const b = redriveBody.safeParse(body);
    if (!b.success) throw new BadRequestException('the body is { "ids": ["<topic>.dlq:<partition>:<offset>", ...] }');
    return redrive(this.ds, this.producer, await this.chosen(b.data.ids), user.sub, this.now());
  }

  /** Closes letters that must not be re-driven, with a note of why; audited (view `dlq-discard`). */
  async discard(body: unknown, user: Principal): Promise<DiscardResultDto> {
    const b = discardBody.safeParse(body);
    if (!b.success) throw new BadRequestException(`the body is { "ids": [...], "note": "why (1 to ${MAX_NOTE} characters)" }`);
    return discard(this.ds, await this.chosen(b.data.ids), { sub: user.sub, role: user.role }, b.data.note, this.now());
  }

  private async chosen(ids: string[]): Promise<StoredDeadLetter[]> {
    const letters = await this.letters();
    const chosen = ids.map((id) => letters.find((x) => x.id === id) ?? id);
    const missing = chosen.filter((c): c is string => typeof c === 'string');
    if (missing.length) throw new NotFoundException(`no dead letter ${missing.join(', ')}`);
    return chosen as StoredDeadLetter[];
  }

  private letters(): Promise<StoredDeadLetter[]> {
    return readDeadLetters(this.kafka, Object.values(this.topics).map(dlqOf));
  }
}

const origin = (l: StoredDeadLetter) => `${l.record.source.topic}:${l.record.source.partition}:${l.record.source.offset}`;
