import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { Observable, Subject, filter } from 'rxjs';
import type { AppConfig } from '@trial/config';
import { CONFIG, LOG, Log } from '@trial/platform';
import { READOUT_CHANNEL, type ReadoutChanged } from '@trial/readstore';

/**
 * One LISTEN connection per API process, fanned out to every SSE client. Opened on the first
 * subscriber, so an API that nobody streams from holds no extra connection.
 */
@Injectable()
export class ReadoutEvents implements OnModuleDestroy {
  private readonly changes = new Subject<ReadoutChanged>();
  private client: Promise<Client> | null = null;

  constructor(@Inject(CONFIG) private readonly config: AppConfig, @Inject(LOG) private readonly log: Log) {}

  forTrial(trialId: string): Observable<ReadoutChanged> {
    this.client ??= this.connect();
    return this.changes.pipe(filter((c) => c.trialId === trialId));
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'api-listen' });
    client.on('notification', (n) => {
      if (n.channel !== READOUT_CHANNEL || !n.payload) return;
      this.changes.next(JSON.parse(n.payload) as ReadoutChanged);
    });
    client.on('error', (e) => {
      this.log('warn', 'readout LISTEN connection failed; reconnecting on next subscriber', { error: e.message });
      this.client = null;
    });
    await client.connect();
    await client.query(`listen ${READOUT_CHANNEL}`);
    return client;
  }

  async onModuleDestroy(): Promise<void> {
    this.changes.complete();
    const c = this.client;
    this.client = null;
    if (c) await (await c).end().catch(() => undefined);
  }
}
