import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { dlqOf, TopicNames } from '@trial/contracts';
import { filterLetters, readDeadLetters, StoredDeadLetter, summarise } from '@trial/messaging';
import { CLOCK, Clock, JsonOnlyGuard, KAFKA, PRODUCER, TOPICS } from '@trial/platform';
import { redrive, redriven } from '@trial/storage';
import { DeadLetterDetailDto, DeadLetterDto, RedriveResultDto } from './dto/dead-letters.dto';

const instant = z.iso.datetime({ offset: true });
const filter = z.object({
  topic: z.string().min(1).optional(), code: z.string().min(1).optional(), since: instant.optional(), until: instant.optional(),
});
const redriveBody = z.object({ ids: z.array(z.string().min(1)).min(1).max(1000) }).strict();

/**
 * Dead letters for the operator role (issue 16, item 4), as `followup dlq` shows them: listed
 * by topic, code and time, one shown with its reason and origin, and re-driven to their
 * original topic once the cause is fixed (each original at most once: see redrive). Never the
 * original message: it can hold personal data, which this role does not see.
 */
@ApiTags('dead-letters')
@ApiBearerAuth()
@Controller('dead-letters')
@Roles('operator')
export class DeadLettersController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  @Get()
  @ApiOkResponse({ type: [DeadLetterDto] })
  async list(@Query() query: Record<string, unknown>): Promise<DeadLetterDto[]> {
    const f = filter.safeParse(query);
    if (!f.success) throw new BadRequestException('topic, code, since and until (ISO 8601 instants) are the filters');
    const done = await redriven(this.ds);
    return filterLetters(await this.letters(), f.data).map((l) => ({ ...summarise(l), redriven: done.get(origin(l)) ?? null }));
  }

  @Get(':id')
  @ApiOkResponse({ type: DeadLetterDetailDto })
  async one(@Param('id') id: string): Promise<DeadLetterDetailDto> {
    const l = (await this.letters()).find((x) => x.id === id);
    if (!l) throw new NotFoundException(`no dead letter ${id}`);
    return { ...summarise(l), reason: l.record.reason, redriven: (await redriven(this.ds)).get(origin(l)) ?? null };
  }

  @Post('redrive')
  @HttpCode(200)
  @UseGuards(JsonOnlyGuard)
  @ApiOkResponse({ type: RedriveResultDto })
  async redrive(@Body() body: unknown, @CurrentUser() user: Principal): Promise<RedriveResultDto> {
    const b = redriveBody.safeParse(body);
    if (!b.success) throw new BadRequestException('the body is { "ids": ["<topic>.dlq:<partition>:<offset>", ...] }');
    const letters = await this.letters();
    const chosen = b.data.ids.map((id) => letters.find((x) => x.id === id) ?? id);
    const missing = chosen.filter((c): c is string => typeof c === 'string');
    if (missing.length) throw new NotFoundException(`no dead letter ${missing.join(', ')}`);
    return redrive(this.ds, this.producer, chosen as StoredDeadLetter[], user.sub, this.now());
  }

  private letters(): Promise<StoredDeadLetter[]> {
    return readDeadLetters(this.kafka, Object.values(this.topics).map(dlqOf));
  }
}

const origin = (l: StoredDeadLetter) => `${l.record.source.topic}:${l.record.source.partition}:${l.record.source.offset}`;
