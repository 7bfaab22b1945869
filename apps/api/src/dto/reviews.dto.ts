import { ApiProperty } from '@nestjs/swagger';
import { reviewReasons, reviewStatuses, type ReviewReason, type ReviewStatus } from '@trial/contracts';

// The review queue's bodies as OpenAPI schemas. A review item carries identifiers (reviewer
// role only) and nested evidence whose shape is linkage's: it is described as an object here.

export class ReviewDecisionStateDto {
  @ApiProperty({ type: String, nullable: true, enum: ['accepted', 'rejected', null] }) decision!: string | null;
  @ApiProperty({ type: String, nullable: true }) patientId!: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt!: string | null;
}

export class ReviewPriorDto {
  @ApiProperty({ description: 'λ, the prior probability that a record and a patient are the same person' }) lambda!: number;
  @ApiProperty({ description: 'log2(λ/(1−λ)), in bits' }) weight!: number;
}

export class ReviewDto {
  @ApiProperty() reviewId!: string;
  @ApiProperty({ enum: reviewStatuses }) status!: ReviewStatus;
  @ApiProperty({ enum: reviewReasons, description: 'why it needs a person' }) reason!: ReviewReason;
  @ApiProperty() modelVersion!: string;
  @ApiProperty() trialId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the registry record: source, recordId, version, kind, identifiers (null once the item is decided), dates',
  })
  record!: Record<string, unknown>;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'patientId, weight, fields and the patient (identifiers null once decided), best first',
  })
  candidates!: unknown[];
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { trialId: { type: 'string' }, patientId: { type: 'string' } } } })
  competing!: Array<{ trialId: string; patientId: string }>;
  @ApiProperty({ type: ReviewDecisionStateDto }) decision!: ReviewDecisionStateDto;
  @ApiProperty({
    type: ReviewPriorDto,
    nullable: true,
    description: "the prior the candidates' weights include (λ, and its weight log2(λ/(1−λ))): a candidate's weight is this plus its fields' weights",
  })
  prior!: ReviewPriorDto | null;
}

/** `POST /reviews/:id/decision` (202): the ReviewDecided event published. */
export class ReviewAcceptedDto {
  @ApiProperty() eventId!: string;
  @ApiProperty() reviewId!: string;
  @ApiProperty({ enum: ['accept', 'reject'] }) decision!: string;
  @ApiProperty({ type: String, nullable: true }) patientId!: string | null;
}
