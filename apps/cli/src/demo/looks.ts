import type { InterimLookTaken } from '@trial/contracts';
import type { InterimResult } from '@trial/survival';
import { Api } from './api-client';

/** A frozen look as GET /trials/:id/looks/:n returns it. */
export interface FrozenLookBody {
  taken: InterimLookTaken;
  report: InterimResult | null;
  unavailable: string | null;
}

/** The interim read-out's fields the demo needs. */
export interface InterimBody {
  plannedEvents: number;
  deaths: number;
  looksTaken: number;
  prospective: boolean;
}

/**
 * Whether the board's next look is due, as the BCIS-1 DSMB would have looked: at the planned
 * information fractions of the planned events (the next planned look not taken yet reached),
 * and only with new information since the last look.
 */
export function lookDue(plannedLooks: readonly number[], interim: InterimBody): boolean {
  const next = plannedLooks[interim.looksTaken];
  return next !== undefined && interim.prospective && interim.deaths >= interim.plannedEvents * next - 1e-9;
}

/** Takes the board's look when one is due; returns it and the line to print, or null. */
export async function takeDueLook(api: Api, plannedLooks: readonly number[]): Promise<{ look: number; line: string } | null> {
  const interim = await api.interim().catch(() => null);
  if (interim === null || !lookDue(plannedLooks, interim)) return null;
  const e = await api.takeLook();
  // Until the projector has frozen it, the API does not count it: the next look would repeat its number.
  await frozenLooks(api, e.look, 15_000);
  const line =
    `            DSMB look ${e.look}: ${e.events} deaths of ${interim.plannedEvents} planned, ` + `log-rank z ${e.z.toFixed(3)} (recorded, frozen)`;
  return { look: e.look, line };
}

/** Waits until the projector has frozen `n` looks, and returns them. */
export async function frozenLooks(api: Api, n: number, timeoutMs: number): Promise<FrozenLookBody[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await api.looks();
    if (list.length >= n || Date.now() > deadline) return Promise.all(list.map((l) => api.look(l.taken.look)));
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The final table's lines for the board's looks, read from each frozen look's own report. */
export function lookRows(looks: readonly FrozenLookBody[]): Array<[string, string]> {
  return looks.map((l) => {
    const n = l.taken.look;
    const at = l.report?.looks[n - 1];
    if (!at) return [`DSMB look ${n} (frozen)`, `${l.taken.events} deaths, z ${l.taken.z.toFixed(2)}: ${l.unavailable ?? 'no report'}`];
    const ci =
      at.repeatedCi && at.repeatedCi.lower !== null && at.repeatedCi.upper !== null
        ? `, HR RCI ${at.repeatedCi.lower.toFixed(2)}-${at.repeatedCi.upper.toFixed(2)}`
        : '';
    const figures = `${at.events} deaths, z ${l.taken.z.toFixed(2)} vs bound ${(-at.efficacyZ).toFixed(2)}: ${at.action ?? '-'}${ci}`;
    return [`DSMB look ${n} (frozen)`, figures];
  });
}
