import { ApiProperty } from '@nestjs/swagger';

// Dead letters as the operator role sees them: origin, code, reason and time; never the
// original message (it can hold personal data, and no role of the API may see it here).

export class DeadLetterOriginDto {
  @ApiProperty() partition!: number;
  @ApiProperty() offset!: string;
}

export class RedrivenDto {
  @ApiProperty() by!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: "the letter re-driven (another consumer's letter of the same original, maybe)" }) letter!: string;
}

export class ClosedDto {
  @ApiProperty({ enum: ['redriven', 'discarded'] }) outcome!: 'redriven' | 'discarded';
  @ApiProperty() by!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class DeadLetterDto {
  @ApiProperty({ description: '`<topic>.dlq:<partition>:<offset>`' }) id!: string;
  @ApiProperty({ description: 'the original topic' }) topic!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ description: 'the consumer that refused it' }) consumer!: string;
  @ApiProperty({ format: 'date-time' }) failedAt!: string;
  @ApiProperty({ type: DeadLetterOriginDto }) source!: DeadLetterOriginDto;
  @ApiProperty({ type: Number, nullable: true }) originalBytes!: number | null;
  @ApiProperty({ description: 'the original was too large for the DLQ and is in dead_letter_park' }) parked!: boolean;
  @ApiProperty({ type: RedrivenDto, nullable: true }) redriven!: RedrivenDto | null;
  @ApiProperty({ type: ClosedDto, nullable: true, description: 'null while open: neither re-driven nor discarded (what the alert counts)' })
  closed!: ClosedDto | null;
}

export class DeadLetterDetailDto extends DeadLetterDto {
  @ApiProperty({ description: 'why it was refused (codes and counts, no identifiers)' }) reason!: string;
}

export class RedriveResultDto {
  @ApiProperty({ type: [String] }) redriven!: string[];
  @ApiProperty({ type: [String], description: 'their original was re-driven before: not sent again' }) already!: string[];
  @ApiProperty({ type: [String] }) unreadable!: string[];
  @ApiProperty({ type: [String], description: 'discarded by an operator: not sent' }) discarded!: string[];
}

export class DiscardResultDto {
  @ApiProperty({ type: [String] }) discarded!: string[];
  @ApiProperty({ type: [String], description: 'closed before (re-driven or discarded): left as they were' }) already!: string[];
}
