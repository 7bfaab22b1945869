import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AtRow, ChiSquareTest, CoxReadout, CoxTerm, GroupReadout, KmRow, MedianEstimate, RmstEstimate, SurvivalReadout } from '@trial/survival';

// The `followup stats --json` document (contracts/stats-cli.md) as OpenAPI schemas. Each class
// implements the domain interface it describes, so tsc fails when the two drift apart.

const num = { type: Number, nullable: true } as const;

export class KmRowDto implements KmRow {
  @ApiProperty({ description: 'days since randomisation' }) time!: number;
  @ApiProperty() nRisk!: number;
  @ApiProperty() nEvent!: number;
  @ApiProperty() nCensor!: number;
  @ApiProperty() survival!: number;
  @ApiProperty(num) stdErr!: number | null;
  @ApiProperty(num) lower!: number | null;
  @ApiProperty(num) upper!: number | null;
}

export class MedianDto implements MedianEstimate {
  @ApiProperty({ ...num, description: 'days; null while survival stays above 0.5' }) estimate!: number | null;
  @ApiProperty(num) lower!: number | null;
  @ApiProperty(num) upper!: number | null;
}

export class AtRowDto implements AtRow {
  @ApiProperty() time!: number;
  @ApiProperty() nRisk!: number;
  @ApiProperty() survival!: number;
  @ApiProperty(num) stdErr!: number | null;
  @ApiProperty(num) lower!: number | null;
  @ApiProperty(num) upper!: number | null;
}

export class RmstDto implements RmstEstimate {
  @ApiProperty() tau!: number;
  @ApiProperty() estimate!: number;
  @ApiProperty() stdErr!: number;
}

export class GroupReadoutDto implements GroupReadout {
  @ApiProperty({ description: 'an arm, or `all` in the blinded view' }) group!: string;
  @ApiProperty() n!: number;
  @ApiProperty() events!: number;
  @ApiProperty({ type: [KmRowDto] }) km!: KmRowDto[];
  @ApiProperty({ type: MedianDto }) median!: MedianDto;
  @ApiProperty({ type: [AtRowDto], description: 'one row per `at` time' }) at!: AtRowDto[];
  @ApiPropertyOptional({ type: RmstDto, description: 'only when tau is given' }) rmst?: RmstDto;
}

export class ChiSquareDto implements ChiSquareTest {
  @ApiProperty() chiSquare!: number;
  @ApiProperty() df!: number;
  @ApiProperty() pValue!: number;
}

export class CoxTermDto implements CoxTerm {
  @ApiProperty() group!: string;
  @ApiProperty() coef!: number;
  @ApiProperty() stdErr!: number;
  @ApiProperty() hazardRatio!: number;
  @ApiProperty() lower!: number;
  @ApiProperty() upper!: number;
  @ApiProperty() z!: number;
  @ApiProperty() pValue!: number;
}

export class CoxDto implements CoxReadout {
  @ApiProperty() reference!: string;
  @ApiProperty({ enum: ['efron', 'breslow'] }) ties!: 'efron' | 'breslow';
  @ApiProperty({ type: [CoxTermDto] }) terms!: CoxTermDto[];
  @ApiProperty({ type: ChiSquareDto }) likelihoodRatio!: ChiSquareDto;
  @ApiProperty({ type: ChiSquareDto }) wald!: ChiSquareDto;
  @ApiProperty({ type: ChiSquareDto }) score!: ChiSquareDto;
}

export class ReverseKmFollowUpDto {
  @ApiProperty({ enum: ['reverse-km'] }) method!: 'reverse-km';
  @ApiProperty(num) median!: number | null;
  @ApiProperty(num) q1!: number | null;
  @ApiProperty(num) q3!: number | null;
}

export class NotEstimableDto {
  @ApiProperty({ type: String, nullable: true }) logRank!: string | null;
  @ApiProperty({ type: String, nullable: true }) cox!: string | null;
}

export class SurvivalReadoutDto implements SurvivalReadout {
  @ApiProperty({ enum: ['log', 'log-log', 'plain'] }) confType!: 'log' | 'log-log' | 'plain';
  @ApiProperty({ enum: ['efron', 'breslow'] }) ties!: 'efron' | 'breslow';
  @ApiProperty() n!: number;
  @ApiProperty() events!: number;
  @ApiProperty({ type: [GroupReadoutDto] }) groups!: GroupReadoutDto[];
  @ApiProperty({ type: ChiSquareDto, nullable: true, description: 'null with one group (always, blinded)' }) logRank!: ChiSquareDto | null;
  @ApiProperty({ type: CoxDto, nullable: true, description: 'null with one group (always, blinded)' }) cox!: CoxDto | null;
  @ApiProperty({ type: ReverseKmFollowUpDto }) followUp!: ReverseKmFollowUpDto;
  @ApiPropertyOptional({ type: NotEstimableDto, description: 'why logRank or cox is null although there are groups to compare' })
  notEstimable?: NotEstimableDto;
}
