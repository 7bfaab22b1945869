// The projector's refusals and its park, against the real Postgres.
// Each refused event used to be applied or dropped without a trace; now the batch fails with a
// PermanentError (the consumer dead-letters that message alone) and nothing of it is applied.
// Every projection is run twice: the same events again, at later offsets as an outbox resend
// would deliver them, change nothing.
import { DataSource } from 'typeorm';
import type { EnrollmentEvent, OutcomeEvent } from '@trial/contracts';
import type { FollowUp } from '@trial/followup';
import { PermanentError } from '@trial/messaging';
import type { LogEvent } from '@trial/readmodel';
import { suiteDataSource, uniqueId } from '../../../test/support';
import { analysisAt, getTrial, listTrials } from './queries';
import { inMemory } from './log-reader';
import { rebuild } from './rebuild';
import { randomisedPatient, registeredTrial } from '../../../test/support/events';
import { testProjector } from '../../../test/support/projector';

const NOW = '2026-01-01T12:00:00.000Z';

function trial(trialId: string): EnrollmentEvent {
  return registeredTrial(trialId, 'guards');
}
function randomised(trialId: string, patientId: string, over: Partial<EnrollmentEvent> = {}): EnrollmentEvent {
  return {
    ...randomisedPatient(trialId, 1, {
      eventId: `${trialId}:${patientId}:rand`,
      patientId,
      arm: 'IABP',
      nhsNumber: '9434765919',
      chiNumber: null,
      dateOfBirth: '1941-02-03',
    }),
    ...over,
  } as EnrollmentEvent;
}
const ref = { source: 'ONS' as const, recordId: 'D1' };
function linked(trialId: string, patientId: string, seq: number | undefined, version = 1, over: Record<string, unknown> = {}): OutcomeEvent {
  return {
    v: 1,
    type: 'DeathLinked',
    eventId: `${trialId}:${patientId}:linked:${version}:${seq}`,
    trialId,
    patientId,
    occurredAt: NOW,
    ...ref,
    version,
    dateOfDeath: '2009-06-30',
    underlyingCause: 'I21.9',
    seq,
    evidence: { method: 'deterministic', modelVersion: 'm', weight: null, fields: {} },
    ...over,
  } as OutcomeEvent;
}
function withdrawn(trialId: string, patientId: string, seq: number | undefined, version = 1): OutcomeEvent {
  return {
    v: 1,
    type: 'DeathWithdrawn',
    eventId: `${trialId}:${patientId}:withdrawn:${version}:${seq}`,
    trialId,
    patientId,
    occurredAt: NOW,
    ...ref,
    version,
    reason: 'relinked',
    seq,
  } as OutcomeEvent;
}
function amended(trialId: string, patientId: string, seq: number | undefined, version: number): OutcomeEvent {
  return {
    v: 1,
    type: 'DeathAmended',
    eventId: `${trialId}:${patientId}:amended:${version}:${seq}`,
    trialId,
    patientId,
    occurredAt: NOW,
    ...ref,
    version,
    dateOfDeath: '2009-07-02',
    underlyingCause: 'I50.0',
    seq,
  } as OutcomeEvent;
}

describe('ReadModelProjector refusals and park', () => {
  let ds: DataSource;
  suiteDataSource(3, (d) => (ds = d));

  /** A projector with its own consumer name, and a helper that applies events on one partition at growing offsets. */
  function setup(label: string) {
    const trialId = uniqueId(label);
    const consumer = `guards-${trialId}`;
    const projector = testProjector(ds, consumer, () => NOW);
    const offsets = new Map<string, number>();
    const log: LogEvent[] = [];
    const apply = async (topic: string, events: LogEvent[]) => {
      const start = offsets.get(topic) ?? 0;
      offsets.set(topic, start + events.length);
      const out = await projector.apply({
        topic: `${consumer}-${topic}`,
        partition: 0,
        lastOffset: String(start + events.length - 1),
        messages: events.map((value, i) => ({ offset: String(start + i), value })),
      });
      log.push(...events); // only reached when applied: a refused batch throws
      return out;
    };
    const followup = async (patientId: string) => {
      const [r] = (await ds.query(`select followup from rm_patients where trial_id = $1 and patient_id = $2`, [trialId, patientId])) as Array<{
        followup: FollowUp | null;
      }>;
      return r?.followup ?? null;
    };
    const state = async () => {
      await projector.drain();
      const patients = await ds.query(`select patient_id, state, followup, guard from rm_patients where trial_id = $1 order by patient_id`, [
        trialId,
      ]);
      const trials = await ds.query(`select design, events_applied from rm_trials where trial_id = $1`, [trialId]);
      const parked = await ds.query(`select patient_id, event from rm_parked where trial_id = $1 order by id`, [trialId]);
      return JSON.stringify({ patients, trials, parked });
    };
    return { trialId, consumer, projector, apply, followup, state, log };
  }

  async function refusedWith(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      if (e instanceof PermanentError) return e.code;
      throw e;
    }
    throw new Error('applied, but should have been refused');
  }

  it('refuses an outcome whose seq goes back: a DeathLinked after its DeathWithdrawn does not count the death', async () => {
    const t = setup('SEQ');
    await t.apply('enrollments', [trial(t.trialId), randomised(t.trialId, 'P1')]);
    // The order two relays could once publish: the withdrawal (seq 2) before the link (seq 1).
    await t.apply('outcomes', [withdrawn(t.trialId, 'P1', 2)]);
    expect(await refusedWith(t.apply('outcomes', [linked(t.trialId, 'P1', 1)]))).toBe('out-of-order');
    expect((await t.followup('P1'))?.status).toBe(0);
    const once = await t.state();
    // Twice: the same events again (an outbox resend, at new offsets) change nothing.
    await t.apply('enrollments', [trial(t.trialId), randomised(t.trialId, 'P1')]);
    await t.apply('outcomes', [withdrawn(t.trialId, 'P1', 2)]);
    expect(await t.state()).toBe(once);
    // In order, a later event is applied; the same seq under another id is refused.
    await t.apply('outcomes', [linked(t.trialId, 'P1', 3)]);
    expect((await t.followup('P1'))?.status).toBe(1);
    expect(await refusedWith(t.apply('outcomes', [withdrawn(t.trialId, 'P1', 3, 2)]))).toBe('out-of-order');
  });

  it('refuses a DeathLinked whose record version goes back, and an id reused with other content', async () => {
    const t = setup('VER');
    await t.apply('enrollments', [trial(t.trialId), randomised(t.trialId, 'P1')]);
    await t.apply('outcomes', [linked(t.trialId, 'P1', undefined, 1), amended(t.trialId, 'P1', undefined, 2)]);
    // Old-format events (no seq): the record version still guards them.
    expect(await refusedWith(t.apply('outcomes', [linked(t.trialId, 'P1', undefined, 1, { eventId: 'other-id' })]))).toBe('version-regressed');
    const held = await t.followup('P1');
    expect(held).toMatchObject({ status: 1 });
    const once = await t.state();
    // The same id with other content: refused, not dropped without a trace.
    const reused = { ...amended(t.trialId, 'P1', undefined, 2), dateOfDeath: '2009-08-01' } as OutcomeEvent;
    expect(await refusedWith(t.apply('outcomes', [reused]))).toBe('event-id-reused');
    // The same id with the same content (a redelivery): a no-op.
    const out = await t.apply('outcomes', [amended(t.trialId, 'P1', undefined, 2)]);
    expect(out).toMatchObject({ applied: 0, duplicates: 1 });
    expect(await t.state()).toBe(once);
  });

  it('refuses a second, conflicting randomisation; an identical one under a new id is a duplicate', async () => {
    const t = setup('RND');
    await t.apply('enrollments', [trial(t.trialId), randomised(t.trialId, 'P1')]);
    const once = await t.state();
    expect(
      await refusedWith(t.apply('enrollments', [randomised(t.trialId, 'P1', { eventId: 'second', arm: 'control' } as Partial<EnrollmentEvent>)])),
    ).toBe('conflicting-randomisation');
    expect(
      await refusedWith(
        t.apply('enrollments', [randomised(t.trialId, 'P1', { eventId: 'third', dateOfBirth: '1941-02-04' } as Partial<EnrollmentEvent>)]),
      ),
    ).toBe('conflicting-randomisation');
    await t.apply('enrollments', [randomised(t.trialId, 'P1', { eventId: 'resent' } as Partial<EnrollmentEvent>)]);
    const after = JSON.parse(await t.state()) as { trials: Array<{ events_applied: string }> };
    const before = JSON.parse(once) as { patients: unknown };
    expect((JSON.parse(await t.state()) as { patients: unknown }).patients).toEqual(before.patients);
    expect(Number(after.trials[0].events_applied)).toBe(3); // the resent copy counts as an event, as a duplicate randomisation always did
  });

  it("parks a trial's events until it is registered: no ghost trial, then applied once, in order, and replay agrees", async () => {
    const t = setup('PARK');
    // Outcomes and a randomisation before the TrialRegistered (it is on another partition).
    await t.apply('outcomes', [linked(t.trialId, 'P1', 1), withdrawn(t.trialId, 'P1', 2)]);
    await t.apply('enrollments', [randomised(t.trialId, 'P1'), randomised(t.trialId, 'P2', { arm: 'control' } as Partial<EnrollmentEvent>)]);
    await t.apply('outcomes', [linked(t.trialId, 'P2', 1)]);
    await t.projector.drain();
    expect((await listTrials(ds)).some((x) => x.trialId === t.trialId)).toBe(false);
    await expect(getTrial(ds, t.trialId)).rejects.toMatchObject({ code: 'trial-not-found' });
    expect(await t.followup('P1')).toBeNull();
    // Checked when parked: an out-of-order outcome is refused there too.
    expect(await refusedWith(t.apply('outcomes', [linked(t.trialId, 'P1', 1, 1, { eventId: 'late-link' })]))).toBe('out-of-order');
    // Twice: the parked events again change nothing (no second copy in the park).
    await t.apply('outcomes', [linked(t.trialId, 'P1', 1), withdrawn(t.trialId, 'P1', 2)]);
    expect((await ds.query(`select count(*)::int as n from rm_parked where trial_id = $1`, [t.trialId]))[0].n).toBe(5);
    // Each parked row says why it waits (code and reason), naming event and trial, never a person.
    const why = (await ds.query(`select code, reason, event->>'eventId' as id from rm_parked where trial_id = $1 order by id`, [
      t.trialId,
    ])) as Array<{ code: string; reason: string; id: string }>;
    for (const w of why) {
      expect(w.code).toBe('trial-not-registered');
      expect(w.reason).toContain(w.id);
      expect(w.reason).toContain(`TrialRegistered of trial ${t.trialId}`);
    }

    await t.apply('enrollments', [trial(t.trialId)]);
    await t.projector.drain();
    expect((await ds.query(`select count(*)::int as n from rm_parked where trial_id = $1`, [t.trialId]))[0].n).toBe(0);
    // In their original order: P1's death withdrawn, P2's counted.
    expect((await t.followup('P1'))?.status).toBe(0);
    expect((await t.followup('P2'))?.status).toBe(1);
    const listed = (await listTrials(ds)).find((x) => x.trialId === t.trialId);
    expect(listed).toMatchObject({ title: 'guards', randomised: 2, deaths: 1, eventsApplied: 6 });
    const live = await analysisAt(ds, t.trialId, {}, {});

    // Twice: everything again changes nothing.
    const once = await t.state();
    await t.apply('enrollments', [
      trial(t.trialId),
      randomised(t.trialId, 'P1'),
      randomised(t.trialId, 'P2', { arm: 'control' } as Partial<EnrollmentEvent>),
    ]);
    await t.apply('outcomes', [linked(t.trialId, 'P1', 1), withdrawn(t.trialId, 'P1', 2), linked(t.trialId, 'P2', 1)]);
    expect(await t.state()).toBe(once);

    // Replay of the log as it was read (with the refused copy in it) gives the same read-out.
    const log = [...t.log.slice(0, 5), linked(t.trialId, 'P1', 1, 1, { eventId: 'late-link' }), ...t.log.slice(5)];
    const report = await rebuild(ds, inMemory({ events: log, watermarks: [], invalid: 0 }), {
      trialId: t.trialId,
      now: () => NOW,
      consumer: t.consumer,
    });
    expect(report.parked).toBe(0);
    const replayed = await analysisAt(ds, t.trialId, {}, {});
    expect(replayed.analysis).toEqual(live.analysis);
    expect((await t.followup('P1'))?.status).toBe(0);
  });

  it('replay parks the events of a trial the log never registers', async () => {
    const t = setup('GHOST');
    const log: LogEvent[] = [randomised(t.trialId, 'P1'), linked(t.trialId, 'P1', 1)];
    await t.apply('enrollments', [log[0]]);
    await t.apply('outcomes', [log[1]]);
    const live = await t.state();
    const report = await rebuild(ds, inMemory({ events: log, watermarks: [], invalid: 0 }), {
      trialId: t.trialId,
      now: () => NOW,
      consumer: t.consumer,
    });
    expect(report).toMatchObject({ parked: 2, trials: 0 });
    expect(await t.state()).toBe(live);
  });
});
