import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Completeness } from '@trial/followup';
import type { AccrualRow, AtRiskTable, DeathRate, HeadlineGroup } from '@trial/readmodel';
import type { AuditedView, AuditEntry, TrialListing } from '@trial/projection';
import { ChiSquareDto, SurvivalReadoutDto } from './survival.dto';

// The read-out API's response bodies as OpenAPI schemas (served at /docs). They describe what
// the routes already answer; each implements the domain type it stands for where there is one.

const completeness = {
  type: 'object',
  additionalProperties: { type: 'string', format: 'date' },
  example: { ONS: '2011-09-30', NRS: '2011-08-31' },
  description: 'per registry, the date up to which every registration is in',
} as const;

export class TrialListingDto implements TrialListing {
  @ApiProperty() trialId!: string;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ type: [String] }) arms!: string[];
  @ApiProperty({ type: String, nullable: true }) referenceArm!: string | null;
  @ApiProperty() randomised!: number;
  @ApiProperty() deaths!: number;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty(completeness) dataComplete!: Completeness;
  @ApiProperty({ type: Number, nullable: true, description: 'deaths / plannedEvents, capped at 1' }) informationFraction!: number | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AccrualRowDto implements AccrualRow {
  @ApiProperty() site!: string;
  @ApiProperty({ example: '2007-01' }) month!: string;
  @ApiProperty() n!: number;
}

export class ArmAccrualDto {
  @ApiProperty() arm!: string;
  @ApiProperty() n!: number;
}

export class AccrualDto {
  @ApiProperty() total!: number;
  @ApiPropertyOptional({ type: [ArmAccrualDto], description: 'dsmb only' }) byArm?: ArmAccrualDto[];
  @ApiProperty({ type: [AccrualRowDto] }) bySiteMonth!: AccrualRowDto[];
}

export class DeathRateDto implements DeathRate {
  @ApiProperty({ description: 'an arm, or `all` in the blinded view' }) arm!: string;
  @ApiProperty() deaths!: number;
  @ApiProperty() personYears!: number;
  @ApiProperty({ type: Number, nullable: true }) per100PersonYears!: number | null;
}

export class AtRiskGroupDto {
  @ApiProperty() group!: string;
  @ApiProperty({ type: [Number] }) nRisk!: number[];
}

export class AtRiskTableDto implements AtRiskTable {
  @ApiProperty({ type: [Number], description: '0, 6, 12, ... months' }) months!: number[];
  @ApiProperty({ type: [AtRiskGroupDto], description: 'by arm then `all` (dsmb); `all` only (monitor)' }) groups!: AtRiskGroupDto[];
}

/** `GET /trials/:id`: the listing plus the role's figures (viewFor). */
export class EndpointNameDto {
  @ApiProperty({ example: 'CVDEATH' }) code!: string;
  @ApiProperty({ example: 'Cardiovascular death' }) name!: string;
}

export class TrialDto extends TrialListingDto {
  @ApiProperty({ type: AccrualDto }) accrual!: AccrualDto;
  @ApiPropertyOptional({ type: DeathRateDto, description: 'monitor: the pooled rate' }) deathRate?: DeathRateDto;
  @ApiPropertyOptional({ type: [DeathRateDto], description: 'dsmb: per arm' }) deathRates?: DeathRateDto[];
  @ApiProperty({ type: AtRiskTableDto }) atRisk!: AtRiskTableDto;
  @ApiProperty({ type: [EndpointNameDto], description: 'the endpoints beyond all-cause death, by code and name (any role; [] without a plan)' })
  endpoints!: EndpointNameDto[];
}

/** `GET /trials/:id/survival`: the `followup stats --json` document and where it stands. */
export class SurvivalDto extends SurvivalReadoutDto {
  @ApiProperty() trialId!: string;
  @ApiProperty({ format: 'date-time', description: 'the instant the figures are as of' }) asOf!: string;
  @ApiProperty(completeness) dataComplete!: Completeness;
  @ApiProperty() eventsApplied!: number;
  // Only for a trial that registered an analysis plan (absent for a v1 trial). dsmb: as
  // `followup stats --strata/--subgroups/--cause 1` on the ADTTE export; a monitor: pooled cut only.
  @ApiPropertyOptional({
    type: Object,
    nullable: true,
    description: 'stratified log-rank and Cox over the stratification factors (dsmb; null for a monitor)',
  })
  stratified?: unknown;
  @ApiPropertyOptional({ type: [Object], description: 'per planned subgroup: levels (n, events; dsmb: by arm, Cox), interaction test (dsmb)' })
  subgroups?: unknown[];
  @ApiPropertyOptional({
    type: Object,
    description: 'per endpoint code: { competingRisks } for that cause against other deaths (monitor: pooled CIF only)',
  })
  endpoints?: Record<string, unknown>;
}

// GET /trials/:id/interim and the looks' bodies: interim.dto.ts.

export class ArmSummaryDto {
  @ApiProperty() arm!: string;
  @ApiProperty() randomised!: number;
  @ApiProperty() deaths!: number;
}

/** `GET /trials/:id/summary`. */
export class SummaryDto {
  @ApiProperty() trialId!: string;
  @ApiProperty({ type: [ArmSummaryDto], description: "in TrialRegistered's arm order" }) arms!: ArmSummaryDto[];
}

export class HeadlineGroupDto implements HeadlineGroup {
  @ApiProperty() group!: string;
  @ApiProperty() n!: number;
  @ApiProperty() events!: number;
  @ApiProperty({ type: Number, nullable: true }) median!: number | null;
}

export class HazardRatioDto {
  @ApiProperty() group!: string;
  @ApiProperty() hazardRatio!: number;
}

/** The `data` of each `readout` event on `GET /trials/:id/stream`. */
export class ReadoutPushDto {
  @ApiProperty() trialId!: string;
  @ApiProperty({ format: 'date-time' }) asOf!: string;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty(completeness) dataComplete!: Completeness;
  @ApiProperty({ type: [HeadlineGroupDto], description: 'empty while no read-out can be given' }) groups!: HeadlineGroupDto[];
  @ApiPropertyOptional({ type: ChiSquareDto, nullable: true, description: 'dsmb only' }) logRank?: ChiSquareDto | null;
  @ApiPropertyOptional({ type: [HazardRatioDto], nullable: true, description: 'dsmb only' }) hazardRatios?: HazardRatioDto[] | null;
}

// Every view once: `satisfies` fails to compile when AuditedView gains one this list lacks.
const auditedViews = Object.keys({
  trial: true,
  survival: true,
  interim: true,
  adtte: true,
  adam: true,
  stream: true,
  'stream-push': true,
  summary: true,
  audit: true,
  'completeness-correction': true,
  'dlq-discard': true,
  'look-taken': true,
  looks: true,
  look: true,
  review: true,
  'review-list': true,
} satisfies Record<AuditedView, true>);

/** One row of `GET /audit`. */
export class AuditEntryDto implements AuditEntry {
  @ApiProperty() id!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() sub!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ type: String, nullable: true }) trialId!: string | null;
  @ApiProperty({ enum: auditedViews }) view!: AuditedView;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the query as sent, credentials left out' }) query!: Record<
    string,
    unknown
  >;
}

/** `POST /stream-tickets`. */
export class StreamTicketDto {
  @ApiProperty() ticket!: string;
  @ApiProperty({ format: 'date-time', description: 'refused after this instant' }) expiresAt!: string;
}
