import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { InterimLookTaken } from '@trial/contracts';
import type { InterimReport } from '@trial/readmodel';
import type { InterimFinal, InterimLook, InterimResult } from '@trial/survival';

// `followup interim`'s document (contract part 3 of stats-cli.md) as OpenAPI schemas, for
// GET /trials/:id/interim and the frozen looks. z is negative when the experimental arm has
// fewer deaths than expected; the bounds are on rpact's scale (efficacy when -z >= efficacyZ).

export class RepeatedCiDto {
  @ApiProperty({ type: Number, nullable: true }) lower!: number | null;
  @ApiProperty({ type: Number, nullable: true }) upper!: number | null;
}

export class InterimLookDto implements InterimLook {
  @ApiProperty() look!: number;
  @ApiProperty({ description: 'information rate of the design' }) info!: number;
  @ApiProperty() taken!: boolean;
  @ApiProperty() events!: number;
  @ApiPropertyOptional({ description: 'log-rank z at a look taken (negative favours the experimental arm)' }) z?: number;
  @ApiProperty() efficacyZ!: number;
  @ApiProperty({ type: Number, nullable: true }) futilityZ!: number | null;
  @ApiProperty() cumulativeAlpha!: number;
  @ApiPropertyOptional({ description: "rpact's testActions" }) action?: string;
  @ApiPropertyOptional({ type: RepeatedCiDto, description: 'repeated confidence interval for the hazard ratio' }) repeatedCi?: RepeatedCiDto;
  @ApiPropertyOptional({ type: Number, nullable: true }) repeatedP?: number | null;
  @ApiPropertyOptional({ description: 'at a look to come, under the design hazard ratio' }) conditionalPower?: number;
}

export class ConditionalPowerDto {
  @ApiProperty() hr1!: number;
  @ApiProperty() final!: number;
}

export class ConditionalPowerTrendDto {
  @ApiProperty() hr!: number;
  @ApiProperty() final!: number;
}

export class InterimFinalDto implements InterimFinal {
  @ApiProperty() look!: number;
  @ApiProperty() pValue!: number;
  @ApiProperty({ type: Number, nullable: true }) lower!: number | null;
  @ApiProperty({ type: Number, nullable: true }) upper!: number | null;
  @ApiProperty({ type: Number, nullable: true }) medianUnbiased!: number | null;
}

/** `followup interim --json`. */
export class InterimResultDto implements InterimResult {
  @ApiProperty() plannedEvents!: number;
  @ApiProperty() alpha!: number;
  @ApiProperty({ enum: [1, 2] }) sided!: 1 | 2;
  @ApiProperty({ enum: ['obrien-fleming', 'pocock'] }) spending!: InterimResult['spending'];
  @ApiProperty({ enum: ['none', 'obrien-fleming', 'pocock'] }) futility!: InterimResult['futility'];
  @ApiProperty({ type: [InterimLookDto], description: 'every look of the design, taken or still to come' }) looks!: InterimLookDto[];
  @ApiProperty({ type: Number, nullable: true }) conditionalRejectionProbability!: number | null;
  @ApiPropertyOptional({ type: ConditionalPowerDto }) conditionalPower?: ConditionalPowerDto;
  @ApiPropertyOptional({ type: ConditionalPowerTrendDto }) conditionalPowerTrend?: ConditionalPowerTrendDto;
  @ApiProperty({ type: InterimFinalDto, nullable: true }) final!: InterimFinalDto | null;
}

/** `GET /trials/:id/interim`: the looks taken, the current position as a prospective look, the looks to come. */
export class InterimDto extends InterimResultDto implements InterimReport {
  @ApiProperty() trialId!: string;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty() deaths!: number;
  @ApiProperty() informationFraction!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'signed log-rank z now (negative favours the experimental arm)' })
  logRankZ!: number | null;
  @ApiProperty({ description: 'looks the board recorded' }) looksTaken!: number;
  @ApiProperty({ description: 'whether the last look marked taken is the current position, not yet recorded' }) prospective!: boolean;
}

/** One InterimLookTaken as recorded. */
export class LookTakenDto implements InterimLookTaken {
  @ApiProperty({ enum: [1] }) v!: 1;
  @ApiProperty({ enum: ['InterimLookTaken'] }) type!: 'InterimLookTaken';
  @ApiProperty() eventId!: string;
  @ApiProperty() trialId!: string;
  @ApiProperty() look!: number;
  @ApiProperty({ format: 'date-time', description: 'the instant of the read-out the board saw' }) asOf!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) dataCutoff!: string | null;
  @ApiProperty() events!: number;
  @ApiProperty({ description: 'signed log-rank z (negative favours the experimental arm)' }) z!: number;
  @ApiProperty({ description: "the member's subject" }) takenBy!: string;
  @ApiProperty({ format: 'date-time' }) takenAt!: string;
}

/** A frozen look: `GET /trials/:id/looks/:n` (and each entry of the list, without `report`). */
export class LookDto {
  @ApiProperty({ type: LookTakenDto }) taken!: LookTakenDto;
  @ApiProperty({ format: 'date-time', description: 'when the projector applied it' }) recordedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'why the design gives no report, if it does not' }) unavailable!: string | null;
}

export class FrozenLookDto extends LookDto {
  @ApiProperty({
    type: InterimResultDto,
    nullable: true,
    description: 'the closed report as shown when the look was taken (`followup interim` on looks 1..n)',
  })
  report!: InterimResultDto | null;
  @ApiProperty({
    type: Object,
    nullable: true,
    description:
      "The closed report's figures { stratified, subgroups, endpoints } as GET /survival gave the dsmb at the look's asOf and " +
      'dataCutoff; null without a plan',
  })
  closed!: { stratified: unknown; subgroups: unknown[]; endpoints: Record<string, unknown> } | null;
}

/** `POST /trials/:id/looks` (202): the InterimLookTaken published. */
export class LookAcceptedDto extends LookTakenDto {}
