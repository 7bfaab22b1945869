import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Roles } from '@trial/auth';
import { listAudit, ReadError, type AuditEntry } from '@trial/readstore';

/** `GET /audit`: who read which unblinded view of which trial, newest first (dsmb only). */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Get()
  @Roles('dsmb')
  @ApiQuery({ name: 'trialId', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 100' })
  async list(@Query('trialId') trialId?: string, @Query('limit') limit?: string): Promise<AuditEntry[]> {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ReadError('invalid-query', 'limit: must be an integer from 1 to 1000');
    return listAudit(this.ds, { trialId, limit: n });
  }
}
