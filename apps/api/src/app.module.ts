import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfig, devSecretFile, oidcSettings } from '@trial/config';
import { AuthModule, resolveSecret } from '@trial/auth';
import { PlatformModule, StateGauges } from '@trial/platform';
import { AuditController } from './audit.controller';
import { DashboardController } from './dashboard/dashboard.controller';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';
import { LookErrorFilter } from './look-errors.filter';
import { LooksController } from './looks.controller';
import { LooksService } from './looks.service';
import { ReadErrorFilter } from './read-errors.filter';
import { ReadoutController } from './readout.controller';
import { ReadoutEvents } from './readout-events';
import { ReadoutService } from './readout.service';
import { ReviewErrorFilter } from './review-errors.filter';
import { ReviewsController } from './reviews.controller';
import { ReviewsService } from './reviews.service';
import { SignInController } from './sign-in.controller';
import { StreamTicketsController } from './stream-tickets.controller';
import { TrialsController } from './trials.controller';

export function apiModule(config: AppConfig) {
  @Module({
    imports: [PlatformModule.forService('api', config), AuthModule.forRoot(resolveSecret(config.AUTH_SECRET, devSecretFile()), oidcSettings())],
    controllers: [
      TrialsController,
      ReadoutController,
      AuditController,
      DashboardController,
      ReviewsController,
      StreamTicketsController,
      DeadLettersController,
      LooksController,
      SignInController,
    ],
    providers: [
      ReadoutEvents,
      ReadoutService,
      ReviewsService,
      LooksService,
      DeadLettersService,
      { provide: APP_FILTER, useClass: LookErrorFilter },
      // The review queue, read-out freshness and completeness on /metrics, read at each scrape.
      StateGauges,
      // One filter per error family: the read side's ReadError, and refused review decisions.
      { provide: APP_FILTER, useClass: ReadErrorFilter },
      { provide: APP_FILTER, useClass: ReviewErrorFilter },
    ],
  })
  class ApiModule {}
  return ApiModule;
}
