import { Body, Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import type { ReviewView } from '@trial/linkage-service';
import { JsonOnlyGuard } from '@trial/platform';
import { ReviewAcceptedDto, ReviewDto } from './dto/reviews.dto';
import { ReviewsService } from './reviews.service';

/**
 * The clerical linkage review queue (reviewer role): the registry record and its candidate
 * patients side by side with the model's evidence; a decision is accepted for processing (202),
 * and the item leaves the open queue once the linkage service has applied it.
 */
@ApiTags('reviews')
@ApiBearerAuth()
@Controller('reviews')
@Roles('reviewer')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get()
  @ApiOkResponse({ type: [ReviewDto] })
  list(
    @Query('status', new DefaultValuePipe('open')) status: string,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
    @CurrentUser() user: Principal,
  ): Promise<ReviewView[]> {
    return this.reviews.list(status, limit, user);
  }

  @Get(':reviewId')
  @ApiOkResponse({ type: ReviewDto })
  one(@Param('reviewId') reviewId: string, @CurrentUser() user: Principal): Promise<ReviewView> {
    return this.reviews.one(reviewId, user);
  }

  @Post(':reviewId/decision')
  @HttpCode(202)
  // JSON only: a form post is a cross-site "simple" request.
  @UseGuards(JsonOnlyGuard)
  @ApiAcceptedResponse({ type: ReviewAcceptedDto })
  decide(@Param('reviewId') reviewId: string, @Body() body: unknown, @CurrentUser() user: Principal): Promise<ReviewAcceptedDto> {
    return this.reviews.decide(reviewId, body, user);
  }
}
