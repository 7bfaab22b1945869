import { INestApplication, Type } from '@nestjs/common';
import { AppConfig } from '@trial/config';
import { startService } from '@trial/platform';

/** Starts a service in this process on a free port, against the test database and topics. */
export async function startInProcess(
  module: (c: AppConfig) => Type<unknown>, config: AppConfig, consumer?: string, opts: { partitionsConsumedConcurrently?: number } = {},
): Promise<{ app: INestApplication; url: string }> {
  const app = await startService(module(config), { service: consumer ?? 'test', port: 0, consumer, ...opts });
  return { app, url: await app.getUrl() };
}
