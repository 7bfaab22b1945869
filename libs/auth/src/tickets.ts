import { randomBytes } from 'node:crypto';
import type { VerifiedPrincipal } from './tokens';

/** How long a stream ticket may wait to be used: enough to open an EventSource, too short to be worth stealing. */
export const TICKET_TTL_SECONDS = 30;
/** Outstanding tickets kept at most; beyond it the oldest are forgotten (their holders ask again). */
const MAX_OUTSTANDING = 10_000;

export interface IssuedTicket {
  ticket: string;
  /** ISO instant after which it is refused. */
  expiresAt: string;
}

/**
 * One-use credentials for the SSE stream. EventSource cannot send an
 * Authorization header, so the stream alone takes a credential in its URL, where proxies and
 * logs see it: an opaque random ticket, issued to a signed-in user for 30 s and spent on first
 * use, never the bearer token itself. It carries its token's principal and expiry, so the
 * stream it opens still closes when the token expires.
 *
 * Held in this API process's memory: a ticket is redeemed by the process that issued it, as
 * the stream is opened straight after; with several API processes behind a balancer they
 * would need a shared store (or sticky sessions).
 */
export class StreamTickets {
  private readonly open = new Map<string, { who: VerifiedPrincipal; until: number }>();

  constructor(private readonly nowSeconds: () => number = () => Date.now() / 1000) {}

  issue(who: VerifiedPrincipal): IssuedTicket {
    const now = this.nowSeconds();
    this.prune(now);
    const ticket = randomBytes(32).toString('base64url');
    const until = Math.min(now + TICKET_TTL_SECONDS, who.exp);
    this.open.set(ticket, { who: { sub: who.sub, role: who.role, exp: who.exp }, until });
    return { ticket, expiresAt: new Date(until * 1000).toISOString() };
  }

  /** The ticket's principal if it is outstanding and unexpired; it is spent either way. */
  redeem(ticket: string): VerifiedPrincipal | null {
    const held = this.open.get(ticket);
    if (!held) return null;
    this.open.delete(ticket);
    return held.until > this.nowSeconds() ? held.who : null;
  }

  private prune(now: number): void {
    for (const [t, h] of this.open) if (h.until <= now) this.open.delete(t);
    // Map iterates in insertion order: the first keys are the oldest.
    while (this.open.size >= MAX_OUTSTANDING) this.open.delete(this.open.keys().next().value as string);
  }
}
