import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { SummaryDto } from './dto/readout.dto';
import { ReadoutService } from './readout.service';

@ApiTags('read-out')
@ApiBearerAuth()
@Controller('trials')
export class TrialsController {
  constructor(private readonly readouts: ReadoutService) {}

  @Get(':trialId/summary')
  @Roles('dsmb')
  @ApiOkResponse({ type: SummaryDto, description: "Per-arm randomised and death counts in TrialRegistered's arm order (unblinded: audited)" })
  summary(@Param('trialId') trialId: string, @CurrentUser() user: Principal): Promise<SummaryDto> {
    return this.readouts.summary(trialId, user);
  }
}
