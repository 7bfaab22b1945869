import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { JsonOnlyGuard } from '@trial/platform';
import { FrozenLookDto, LookAcceptedDto, LookDto } from './dto/interim.dto';
import { LooksService } from './looks.service';

/** The DSMB's looks (dsmb role): take one, list them, reopen one exactly as it was shown. */
@ApiTags('read-out')
@ApiBearerAuth()
@Controller('trials')
@Roles('dsmb')
export class LooksController {
  constructor(private readonly looks: LooksService) {}

  @Post(':trialId/looks')
  @HttpCode(202)
  // JSON only: a form post is a cross-site "simple" request.
  @UseGuards(JsonOnlyGuard)
  @ApiAcceptedResponse({ type: LookAcceptedDto, description: 'InterimLookTaken published (body: optional dataCutoff); listed once projected' })
  take(@Param('trialId') trialId: string, @Body() body: unknown, @CurrentUser() user: Principal): Promise<LookAcceptedDto> {
    return this.looks.take(trialId, body, user);
  }

  @Get(':trialId/looks')
  @ApiOkResponse({ type: [LookDto], description: 'The looks taken, in order' })
  list(@Param('trialId') trialId: string, @CurrentUser() user: Principal): Promise<LookDto[]> {
    return this.looks.list(trialId, user);
  }

  @Get(':trialId/looks/:look')
  @ApiOkResponse({ type: FrozenLookDto, description: "That look's closed report, exactly as it was shown" })
  one(@Param('trialId') trialId: string, @Param('look', ParseIntPipe) look: number, @CurrentUser() user: Principal): Promise<FrozenLookDto> {
    return this.looks.one(trialId, look, user);
  }
}
