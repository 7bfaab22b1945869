import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { Public } from '@trial/auth';
import { KAFKA } from './tokens';

/** `GET /health`: ready when Postgres answers a ping and the Kafka cluster answers metadata. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(KAFKA) private readonly kafka: Kafka,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      () => this.kafkaCheck(),
    ]);
  }

  private async kafkaCheck() {
    const indicator = this.indicators.check('kafka');
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return indicator.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (e) {
      return indicator.down({ message: (e as Error).message });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
