import { INestApplication, Type } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { AppConfig } from '@trial/config';
import type { OffsetCommits } from '@trial/messaging';
import { startService } from '@trial/platform';

/**
 * Starts a service in this process on a free port, against the test database and topics.
 * The URL is built from the bound address (127.0.0.1): Nest's getUrl() can report [::1].
 */
export async function startInProcess(
  module: (c: AppConfig) => Type<unknown>,
  config: AppConfig,
  consumer?: string,
  opts: { partitionsConsumedConcurrently?: number; offsetCommits?: OffsetCommits } = {},
): Promise<{ app: INestApplication; url: string }> {
  const app = await startService(module(config), { service: consumer ?? 'test', port: 0, consumer, ...opts });
  const { address, port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return { app, url: `http://${address}:${port}` };
}
