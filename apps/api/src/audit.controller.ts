import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@trial/auth';
import { AuditEntryDto } from './dto/readout.dto';
import { ReadoutService } from './readout.service';

/** `GET /audit`: who read which unblinded view of which trial, newest first (dsmb only). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly readouts: ReadoutService) {}

  @Get()
  @Roles('dsmb')
  @ApiQuery({ name: 'trialId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 100' })
  @ApiOkResponse({ type: [AuditEntryDto] })
  list(@Query('trialId') trialId?: string, @Query('limit') limit?: string): Promise<AuditEntryDto[]> {
    return this.readouts.auditLog(trialId, limit);
  }
}
