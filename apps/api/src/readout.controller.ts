import { Controller, Get, Header, MessageEvent, Param, Query, Res, Sse, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { AcceptsStreamTicket, CurrentUser, Principal, Roles, type VerifiedPrincipal } from '@trial/auth';
import { InterimDto } from './dto/interim.dto';
import { ReadoutPushDto, SurvivalDto, TrialDto, TrialListingDto } from './dto/readout.dto';
import { ReadoutService } from './readout.service';
import { TrialExistsGuard } from './trial-exists.guard';

type Raw = Record<string, unknown>;

/**
 * The read-out API: routes, roles and documentation only. What each role sees (a monitor the
 * blinded cut, a dsmb member everything) and the audit of every unblinded read are the
 * ReadoutService's.
 */
@ApiTags('read-out')
@ApiBearerAuth()
@Controller('trials')
export class ReadoutController {
  constructor(private readonly readouts: ReadoutService) {}

  @Get()
  @Roles('monitor', 'dsmb')
  @ApiOkResponse({
    type: [TrialListingDto],
    description: 'Every trial: arms, accrual, deaths so far, completeness per registry, information fraction',
  })
  list(): Promise<TrialListingDto[]> {
    return this.readouts.list();
  }

  @Get(':trialId')
  @Roles('monitor', 'dsmb')
  @ApiOkResponse({ type: TrialDto, description: 'One trial; dsmb also gets per-arm accrual, deaths per 100 person-years and numbers at risk' })
  trial(@Param('trialId') trialId: string, @CurrentUser() user: Principal): Promise<TrialDto> {
    return this.readouts.trial(trialId, user);
  }

  @Get(':trialId/survival')
  @Roles('monitor', 'dsmb')
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO instant: the read-out as the pipeline held it then' })
  @ApiQuery({ name: 'dataCutoff', required: false, description: 'YYYY-MM-DD administrative cutoff' })
  @ApiQuery({ name: 'at', required: false, description: 'comma-separated times (days) for survival-at rows' })
  @ApiQuery({ name: 'tau', required: false, description: 'RMST restriction time (days)' })
  @ApiQuery({ name: 'confType', required: false, enum: ['log', 'log-log', 'plain'] })
  @ApiQuery({ name: 'ties', required: false, enum: ['efron', 'breslow'] })
  @ApiOkResponse({ type: SurvivalDto, description: 'The `followup stats --json` document plus trialId, asOf, dataComplete, eventsApplied' })
  survival(@Param('trialId') trialId: string, @Query() raw: Raw, @CurrentUser() user: Principal): Promise<SurvivalDto> {
    return this.readouts.survival(trialId, raw, user);
  }

  @Get(':trialId/interim')
  @Roles('dsmb')
  @ApiOkResponse({
    type: InterimDto,
    description:
      '`followup interim` on the looks taken, the current position as the next look, then the planned looks (z < 0 favours the experimental arm)',
  })
  interim(@Param('trialId') trialId: string, @Query() raw: Raw, @CurrentUser() user: Principal): Promise<InterimDto> {
    return this.readouts.interim(trialId, raw, user);
  }

  @Get(':trialId/adtte.csv')
  @Roles('dsmb')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiQuery({ name: 'dataCutoff', required: false })
  @ApiProduces('text/csv')
  @ApiOkResponse({ type: String, description: 'CDISC ADaM ADTTE (overall survival), one row a patient' })
  async adtte(
    @Param('trialId') trialId: string,
    @Query() raw: Raw,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const { filename, csv } = await this.readouts.adtte(trialId, raw, user);
    res.setHeader('content-disposition', `attachment; filename="${filename}"`);
    return csv;
  }

  @Get(':trialId/adam')
  @Roles('dsmb')
  @ApiQuery({ name: 'dataCutoff', required: false })
  @ApiProduces('application/zip')
  @ApiOkResponse({ description: 'CDISC ADaM package, one zip: adsl.csv, adsl.xpt, adtte.csv, adtte.xpt (XPT: SAS transport v5, labelled)' })
  async adam(@Param('trialId') trialId: string, @Query() raw: Raw, @CurrentUser() user: Principal): Promise<StreamableFile> {
    const { filename, zip } = await this.readouts.adam(trialId, raw, user);
    return new StreamableFile(zip, { type: 'application/zip', disposition: `attachment; filename="${filename}"`, length: zip.length });
  }

  /**
   * Server-sent events (`readout` events): opened with a bearer header or a stream ticket
   * (`?ticket=`, from POST /stream-tickets); ends when the token behind it expires. An unknown
   * trial is refused by the guard, before Nest writes the stream's 200.
   */
  @Sse(':trialId/stream')
  @AcceptsStreamTicket()
  @Roles('monitor', 'dsmb')
  @UseGuards(TrialExistsGuard)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ type: ReadoutPushDto, description: "Each event's data: the role's headline, again after every change" })
  stream(@Param('trialId') trialId: string, @CurrentUser() user: VerifiedPrincipal): Promise<Observable<MessageEvent>> {
    return this.readouts.stream(trialId, user);
  }
}
