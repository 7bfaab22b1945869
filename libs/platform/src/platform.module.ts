import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { Kafka, Producer } from 'kafkajs';
import { AppConfig } from '@trial/config';
import { topicNames } from '@trial/contracts';
import { ConsumerStatus, createKafka, createProducer, Log } from '@trial/messaging';
import { openMigrated } from '@trial/storage';
import { HealthController } from './health.controller';
import { MetricsController, ServiceMetrics } from './metrics';
import { createLogger, httpLogging, logFn } from './logging';
import { CLOCK, CONFIG, CONSUMER_STATUS, KAFKA, LOG, METRICS, PRODUCER, TOPICS } from './tokens';

/**
 * What every service shares: validated config, JSON logging, the Postgres data source
 * (migrated at start), a Kafka client and idempotent producer, topic names, a clock, the
 * consumer's status, `GET /health` and `GET /metrics`.
 */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(@Inject(PRODUCER) private readonly producer: Producer) {}

  static forService(service: string, config: AppConfig): DynamicModule {
    const logger = createLogger(service, config.LOG_LEVEL);
    const log = logFn(logger);
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: httpLogging(logger, config.LOG_LEVEL) }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres', url: config.DATABASE_URL }),
          // Migrated as the owner (MIGRATION_DATABASE_URL) when given; served as the DATABASE_URL role.
          dataSourceFactory: async () => openMigrated(config.DATABASE_URL, config.MIGRATION_DATABASE_URL, { applicationName: service }),
        }),
        TerminusModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOG, useValue: log },
        { provide: CLOCK, useValue: () => new Date().toISOString() },
        { provide: TOPICS, useValue: topicNames(config.TOPIC_PREFIX) },
        // State `none` until startService gives the service a consumer.
        { provide: CONSUMER_STATUS, useValue: new ConsumerStatus() },
        { provide: METRICS, useValue: new ServiceMetrics() },
        { provide: KAFKA, useValue: createKafka(config.KAFKA_BROKERS, service, log) },
        {
          provide: PRODUCER,
          inject: [KAFKA],
          useFactory: async (kafka: Kafka) => {
            const p = createProducer(kafka);
            await p.connect();
            return p;
          },
        },
      ],
      exports: [CONFIG, LOG, CLOCK, TOPICS, KAFKA, PRODUCER, CONSUMER_STATUS, METRICS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

export type { Log, DataSource };
