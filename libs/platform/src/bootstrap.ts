import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig, AppConfig } from '@trial/config';
import { TopicNames, topicSpecs } from '@trial/contracts';
import { ConsumerStatus, ConsumerTiming, ensureTopics, FetchSizes, Log, OffsetCommits } from '@trial/messaging';
import { openLetterCount, parkDeadLetter } from '@trial/storage';
import { answerAs, httpSurface } from './http-surface';
import { KafkaBatchServer } from './kafka-batch.server';
import { consumerHooks, ServiceMetrics, watchConsumerStatus } from './metrics';
import { RethrowRpcFilter } from './rethrow.filter';
import { UnavailableInterceptor } from './unavailable.interceptor';
import { CLOCK, Clock, CONFIG, CONSUMER_STATUS, KAFKA, LOG, METRICS, PRODUCER, TOPICS } from './tokens';

/** Loads config or exits with one clear line: a service must not start half-configured. */
export function configOrExit(service: string): AppConfig {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${service}: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

export interface ServiceOptions {
  service: string;
  port: number;
  /** Consumer group name; the service consumes with `@EventPattern` handlers when given. */
  consumer?: string;
  /** Partition batches the consumer handles at once; default 1 (see runConsumer). */
  partitionsConsumedConcurrently?: number;
  /** How much one fetch may bring; kafkajs' defaults (1 MB a partition) when not given. */
  fetch?: FetchSizes;
  /** When Kafka offsets are committed (see runConsumer): `interval` only for a handler that keeps its own checkpoint. */
  offsetCommits?: OffsetCommits;
  /** Group timing and backoff (tests shorten them); see DEFAULT_TIMING. */
  timing?: Partial<ConsumerTiming>;
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Creates and starts one service: HTTP (health and any controllers), the Kafka batch
 * consumer when the module has handlers, and clean shutdown on SIGINT/SIGTERM (which leaves
 * the consumer group, so the partitions move to another member at once).
 *
 * The port opens before the consumer joins its group: after a kill -9 the join waits for
 * the dead member's session to expire, and /health must answer (not ready) meanwhile.
 * Resolves once the consumer has joined.
 */
export async function startService(module: Type<unknown>, opts: ServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Before any route: security headers on every answer, and a 400 for a URL no handler can take.
  app.disable('x-powered-by');
  app.use(httpSurface);
  const instance = app.get<AppConfig>(CONFIG).INSTANCE_ID;
  if (instance !== undefined) app.use('/health', answerAs(instance));
  app.enableShutdownHooks();
  app.useGlobalInterceptors(new UnavailableInterceptor());
  const kafka = app.get<Kafka>(KAFKA);
  const topics = app.get<TopicNames>(TOPICS);
  const log = app.get<Log>(LOG);
  let server: KafkaBatchServer | null = null;
  if (opts.consumer) {
    const status = app.get<ConsumerStatus>(CONSUMER_STATUS);
    status.starting();
    const ds = app.get<DataSource>(getDataSourceToken());
    const metrics = app.get<ServiceMetrics>(METRICS);
    watchConsumerStatus(metrics, opts.consumer, status);
    server = new KafkaBatchServer({
      kafka,
      producer: app.get<Producer>(PRODUCER),
      name: opts.consumer,
      topics,
      // Groups are per topic prefix, so suites and benchmarks on one broker never share one.
      groupId: `${app.get<AppConfig>(CONFIG).TOPIC_PREFIX}${opts.consumer}`,
      log,
      now: app.get<Clock>(CLOCK),
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently,
      fetch: opts.fetch,
      offsetCommits: opts.offsetCommits,
      park: (letter, at) => parkDeadLetter(ds, letter, at),
      status,
      timing: opts.timing,
      hooks: consumerHooks(metrics, opts.consumer, Date.now, (topic, extents) => openLetterCount(ds, topic, extents)),
    });
    const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false, deferInitialization: true });
    // Its own config (not the HTTP app's, whose filters must stay HTTP-only), set before the
    // listeners are registered (hence deferInitialization), or the filter does not apply.
    microservice.useGlobalFilters(new RethrowRpcFilter());
  }
  await opts.configure?.(app);
  await app.startAllMicroservices(); // registers the handlers; consuming starts below
  await app.listen(opts.port, app.get<AppConfig>(CONFIG).LISTEN_HOST);
  log('info', `${opts.service} listening`, { port: opts.port, topics });
  await ensureTopics(kafka, topicSpecs(topics));
  await server?.begin();
  return app;
}

/** Starts a service from its main.ts; a failure to start is logged as one line and exits 1. */
export function runService(module: Type<unknown>, opts: ServiceOptions): void {
  startService(module, opts).catch((e: unknown) => {
    process.stderr.write(`${opts.service}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
