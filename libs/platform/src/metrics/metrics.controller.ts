import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@trial/auth';
import { METRICS } from '../tokens';
import { ServiceMetrics } from './definitions';

/**
 * `GET /metrics`: the service's metrics in the Prometheus text format, for Prometheus to
 * scrape (infra/prometheus). No token, like /health: the services listen on 127.0.0.1 and no
 * metric carries personal data or arm figures (see definitions.ts).
 */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: ServiceMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(body);
  }
}
