import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { JsonOnlyGuard } from '@trial/platform';
import { DeadLettersService } from './dead-letters.service';
import { DeadLetterDetailDto, DeadLetterDto, DiscardResultDto, RedriveResultDto } from './dto/dead-letters.dto';

/** Dead letters for the operator role: one-line routes over DeadLettersService. */
@ApiTags('dead-letters')
@ApiBearerAuth()
@Controller('dead-letters')
@Roles('operator')
export class DeadLettersController {
  constructor(private readonly letters: DeadLettersService) {}

  @Get()
  @ApiOkResponse({ type: [DeadLetterDto] })
  list(@Query() query: Record<string, unknown>): Promise<DeadLetterDto[]> {
    return this.letters.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: DeadLetterDetailDto })
  one(@Param('id') id: string): Promise<DeadLetterDetailDto> {
    return this.letters.one(id);
  }

  @Post('redrive')
  @HttpCode(200)
  @UseGuards(JsonOnlyGuard)
  @ApiOkResponse({ type: RedriveResultDto })
  redrive(@Body() body: unknown, @CurrentUser() user: Principal): Promise<RedriveResultDto> {
    return this.letters.redrive(body, user);
  }

  /** Closes letters that must not be re-driven, with a note of why; audited (view `dlq-discard`). */
  @Post('discard')
  @HttpCode(200)
  @UseGuards(JsonOnlyGuard)
  @ApiOkResponse({ type: DiscardResultDto })
  discard(@Body() body: unknown, @CurrentUser() user: Principal): Promise<DiscardResultDto> {
    return this.letters.discard(body, user);
  }
}
