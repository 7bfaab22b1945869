import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { Public } from '@trial/auth';
import { ConsumerStatus, failureCode } from '@trial/messaging';
import { CONSUMER_STATUS, KAFKA } from './tokens';

/** Each check gives up after this long: /health must answer fast, above all when something is down. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * `GET /health`: ready (200) when Postgres answers a ping, the Kafka cluster answers metadata
 * and, in a service with a consumer, that consumer is running, not retrying an
 * environmental failure and not falling ever further behind. Otherwise 503, naming the
 * reason (codes and classes only: no message content, no personal data).
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONSUMER_STATUS) private readonly consumer: ConsumerStatus,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: CHECK_TIMEOUT_MS }),
      () => this.kafkaCheck(),
      ...(this.consumer.current === 'none' ? [] : [() => this.consumerCheck()]),
    ]);
  }

  private consumerCheck() {
    const indicator = this.indicators.check('consumer');
    const r = this.consumer.readiness();
    const details = { state: r.state, reason: r.reason, retrying: r.retrying, lag: r.lag };
    return r.ready ? indicator.up(details) : indicator.down(details);
  }

  private async kafkaCheck() {
    const indicator = this.indicators.check('kafka');
    const admin = this.kafka.admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { name: 'HealthCheckTimeout' })), CHECK_TIMEOUT_MS);
      });
      const cluster = await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
      return indicator.up({ brokers: cluster.brokers.length, controller: cluster.controller });
    } catch (e) {
      return indicator.down({ reason: failureCode(e) });
    } finally {
      clearTimeout(timer);
      void admin.disconnect().catch(() => undefined);
    }
  }
}
