import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { Observable, Subject, filter, map, merge } from 'rxjs';
import type { AppConfig } from '@trial/config';
import { CONFIG, LOG, Log } from '@trial/platform';
import { READOUT_CHANNEL, readoutChangedOf, type ReadoutChanged } from '@trial/projection';
import { failureCode } from '@trial/messaging';

/**
 * Why a stream should send its read-out again: a committed change, or a LISTEN connection that
 * was lost and is back (notifications sent meanwhile are gone, so the current read-out is resent).
 */
export type ReadoutSignal = { cause: 'changed'; change: ReadoutChanged } | { cause: 'reconnected' };

/** Backoff between attempts to re-open the LISTEN connection: from the first, doubling to the last. */
const RETRY_MS = { first: 100, max: 5_000 };

/**
 * One LISTEN connection per API process, fanned out to every SSE client. Opened on the first
 * subscriber, so an API that nobody streams from holds no extra connection. When it is lost (a
 * Postgres restart, a terminated backend) it is re-opened at once, with backoff, for as long as
 * any stream is open; then every open stream is told to resend its read-out.
 */
@Injectable()
export class ReadoutEvents implements OnModuleDestroy {
  private readonly changes = new Subject<ReadoutChanged>();
  private readonly reconnects = new Subject<void>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private subscribers = 0;
  private destroyed = false;
  /** True once a connection has been open: the next successful one is a reconnect. */
  private wasOpen = false;
  /** The pending backoff wait, so that shutdown can cut it short. */
  private retry: { timer: NodeJS.Timeout; wake: () => void } | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOG) private readonly log: Log,
  ) {}

  forTrial(trialId: string): Observable<ReadoutSignal> {
    const signals = merge(
      this.changes.pipe(
        filter((c) => c.trialId === trialId),
        map((change): ReadoutSignal => ({ cause: 'changed', change })),
      ),
      this.reconnects.pipe(map((): ReadoutSignal => ({ cause: 'reconnected' }))),
    );
    return new Observable<ReadoutSignal>((sub) => {
      this.subscribers++;
      this.ensureOpen();
      const inner = signals.subscribe(sub);
      return () => {
        this.subscribers--;
        inner.unsubscribe();
      };
    });
  }

  private ensureOpen(): void {
    if (this.destroyed || this.client !== null || this.connecting !== null) return;
    this.connecting = this.open(RETRY_MS.first).finally(() => {
      this.connecting = null;
      // Lost again before this attempt had finished: go on trying.
      if (this.client === null && this.subscribers > 0 && !this.destroyed) this.ensureOpen();
    });
  }

  /** Opens and LISTENs; on failure waits `delay` and tries again while anyone is streaming. */
  private async open(delay: number): Promise<void> {
    for (;;) {
      if (this.destroyed) return;
      if (this.subscribers === 0) {
        this.wasOpen = false; // nobody missed anything: the next subscriber starts from its own first read-out
        return;
      }
      const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'api-listen' });
      client.on('notification', (n) => {
        if (n.channel !== READOUT_CHANNEL || !n.payload) return;
        const change = readoutChangedOf(n.payload);
        // Not the projector's (a NOTIFY by hand on the channel): nothing to push, and no throw in the driver's handler.
        if (change === null) this.log('warn', 'a readout notification that is not a ReadoutChanged was ignored', { channel: n.channel });
        else this.changes.next(change);
      });
      // A lost connection emits 'error' (and then 'end'), or only 'end': handle whichever comes first, once.
      const lost = (e?: Error) => this.lost(client, e);
      client.on('error', lost);
      client.on('end', () => lost());
      try {
        await client.connect();
        await client.query(`listen ${READOUT_CHANNEL}`);
      } catch (e) {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
        this.log('warn', 'readout LISTEN connection could not be opened; retrying', { error: failureCode(e), retryInMs: delay });
        await new Promise<void>((wake) => {
          this.retry = { timer: setTimeout(wake, delay), wake };
        });
        this.retry = null;
        delay = Math.min(delay * 2, RETRY_MS.max);
        continue;
      }
      if (this.destroyed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      if (this.wasOpen) {
        this.log('info', 'readout LISTEN connection re-opened; resending the read-out to open streams', { streams: this.subscribers });
        this.reconnects.next();
      }
      this.wasOpen = true;
      return;
    }
  }

  private lost(client: Client, e?: Error): void {
    if (this.client !== client) return; // not (or no longer) the open connection
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.destroyed) return;
    this.log('warn', 'readout LISTEN connection lost; reconnecting', { error: e ? failureCode(e) : 'connection ended' });
    // Without subscribers the next one opens it; otherwise the open streams need it now.
    if (this.subscribers > 0) this.ensureOpen();
    else this.wasOpen = false;
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.wake();
    }
    this.changes.complete();
    this.reconnects.complete();
    const c = this.client;
    this.client = null;
    await this.connecting?.catch(() => undefined);
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
