import { StreamTickets, TICKET_TTL_SECONDS } from './tickets';

describe('stream tickets', () => {
  const who = { sub: 'dsmb-chair', role: 'dsmb' as const, exp: 10_000 };

  it('opens once, within its lifetime, and never outlives its token', () => {
    let now = 1_000;
    const tickets = new StreamTickets(() => now);
    const a = tickets.issue(who);
    expect(a.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tickets.redeem(a.ticket)).toEqual(who);
    expect(tickets.redeem(a.ticket)).toBeNull();
    const b = tickets.issue(who);
    now += TICKET_TTL_SECONDS;
    expect(tickets.redeem(b.ticket)).toBeNull();
    now = who.exp - 5;
    const c = tickets.issue(who);
    expect(Date.parse(c.expiresAt) / 1000).toBe(who.exp);
    now = who.exp;
    expect(tickets.redeem(c.ticket)).toBeNull();
    expect(tickets.redeem('made-up')).toBeNull();
  });
});
