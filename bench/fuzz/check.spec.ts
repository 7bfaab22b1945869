import { check, Observed, TrialSeen } from './check';
import { generate } from './generate';
import { CONSUMERS } from './plan';
import { COMPLETE_UP_TO } from './trial';

/**
 * The fuzz's assertions on a synthetic end state: the state a correct pipeline leaves passes,
 * and each way of being wrong is named. So a passing fuzz means something.
 */
const plan = generate({ seed: 99, bad: 300, patients: 10, partitions: 3 });
const topicName = (t: string) => `p-${t}`;

function goodState(): Observed {
  const positions = new Map(plan.messages.map((m) => [m.seq, `${topicName(m.topic)}:${m.partition}:${m.seq}`]));
  const letters = plan.messages
    .filter((m) => m.category !== 'valid')
    .flatMap((m) =>
      CONSUMERS[m.topic].map((consumer) => ({
        source: positions.get(m.seq)!,
        consumer,
        code: 'invalid-message',
        reason: 'a reason',
        at: `dlq:${m.seq}`,
        bytes: 10,
      })),
    );
  const trial = (trialId: string): TrialSeen => ({
    trialId,
    status: 200,
    survival: {
      trialId,
      asOf: trialId === plan.fuzz.trialId ? '2026-01-01T00:00:00Z' : '2026-01-02T00:00:00Z',
      dataComplete: { ONS: COMPLETE_UP_TO },
      groups: plan.fuzz.design.arms.map((arm) => ({
        group: arm,
        n: plan.patients.filter((p) => p.arm === arm).length,
        events: plan.patients.filter((p) => p.arm === arm && p.death).length,
      })),
      logRank: { chisq: 1.5 },
    },
    adtte: plan.patients.map((p) => ({
      USUBJID: `${trialId}-${p.patientId}`,
      TRTP: p.arm,
      STARTDT: p.randomisedOn,
      CNSR: p.death ? '0' : '1',
      ADT: p.death ?? COMPLETE_UP_TO,
    })),
  });
  return {
    positions,
    letters,
    unreadable: [],
    parked: [],
    parkTables: [],
    health: ['linkage', 'projector', 'api', 'ingest'].map((service) => ({ service, status: 200, body: '{"status":"ok"}' })),
    exited: [],
    groups: [
      { groupId: 'p-linkage', state: 'Stable', members: 1, lag: 0 },
      { groupId: 'p-projector', state: 'Stable', members: 1, lag: 0 },
    ],
    trials: { fuzz: trial(plan.fuzz.trialId), twin: trial(plan.twin.trialId) },
    listed: [plan.fuzz.trialId, plan.twin.trialId],
    reviews: plan.messages.flatMap((m) => (m.effect?.kind === 'review' ? [{ reviewId: m.effect.reviewId, status: 'rejected' }] : [])),
    ghosts: plan.ghosts.map((trialId) => ({ trialId, status: 404 })),
  };
}

const failuresOf = (s: Observed) => check(plan, s).failures.join('\n');

describe('fuzz checks', () => {
  it('pass on the state a correct pipeline leaves, with counts per category', () => {
    const r = check(plan, goodState());
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    const valid = r.counts.find((c) => c.category === 'valid')!;
    expect(valid.applied).toBe(valid.sent);
    expect(r.counts.filter((c) => c.category !== 'valid').every((c) => c.deadLettered === c.sent && c.missing === 0)).toBe(true);
  });

  it('name a bad message that no consumer refused, and one that only one of two consumers did', () => {
    const s = goodState();
    const enrol = plan.messages.find((m) => m.category === 'wrong-schema' && m.topic === 'enrollments')!;
    const other = plan.messages.find((m) => m.category === 'invalid-json' && m.seq !== enrol.seq)!;
    s.letters = s.letters.filter(
      (l) => !(l.source === s.positions.get(enrol.seq) && l.consumer === 'projector') && l.source !== s.positions.get(other.seq),
    );
    const f = failuresOf(s);
    expect(f).toContain(`#${enrol.seq} wrong-schema`);
    expect(f).toContain('nothing from projector');
    expect(f).toContain(`#${other.seq} invalid-json`);
  });

  it('accept a park row (by position, or by the event it keeps) in place of a dead letter, but not one without a reason', () => {
    const s = goodState();
    const ghost = plan.messages.find((m) => m.category === 'unregistered-trial')!;
    s.letters = s.letters.filter((l) => l.source !== s.positions.get(ghost.seq));
    s.parked = [{ table: 'rm_parked', source: null, consumer: null, reason: 'trial not registered', event: JSON.parse(ghost.value!.toString()) }];
    expect(check(plan, s).failures).toEqual([]);
    s.parked[0].reason = null;
    expect(failuresOf(s)).toContain('without a reason');
  });

  it('fail on an unhealthy service, a dead process, a stopped or lagging consumer', () => {
    const s = goodState();
    s.health[0] = { service: 'linkage', status: 503, body: 'retrying' };
    s.exited = [{ service: 'projector', how: 'SIGKILL' }];
    s.groups[1] = { groupId: 'p-projector', state: 'Empty', members: 0, lag: 12 };
    const f = failuresOf(s);
    expect(f).toContain('linkage GET /health answered 503');
    expect(f).toContain('projector is not running');
    expect(f).toContain('p-projector is Empty with 0 member(s)');
    expect(f).toContain('12 message(s) not consumed');
  });

  it('fail on a valid message dead-lettered, or not applied, and on a dead letter the fuzz did not send', () => {
    const s = goodState();
    const death = plan.messages.find((m) => m.effect?.kind === 'death' && m.effect.trialId === plan.fuzz.trialId)!;
    s.letters.push({ source: s.positions.get(death.seq)!, consumer: 'linkage', code: 'x', reason: 'y', at: 'dlq:x', bytes: 1 });
    s.letters.push({ source: 'p-followup.outcomes:0:999999', consumer: 'projector', code: 'x', reason: 'y', at: 'dlq:y', bytes: 1 });
    const effect = death.effect!;
    const p = effect.kind === 'death' ? effect.patientId : '';
    const row = s.trials.fuzz.adtte.find((r) => r.USUBJID.endsWith(`-${p}`))!;
    Object.assign(row, { CNSR: '1', ADT: COMPLETE_UP_TO });
    const f = failuresOf(s);
    expect(f).toContain('valid messages dead-lettered or parked: 1');
    expect(f).toContain('did not send');
    expect(f).toContain('valid messages not applied');
    expect(f).toContain(`${p}: {"TRTP"`);
  });

  it("fail when the fuzzed trial's read-out differs from its twin's, or a ghost trial shows", () => {
    const s = goodState();
    s.trials.fuzz.survival = { ...s.trials.fuzz.survival!, logRank: { chisq: 2 } };
    s.listed.push(plan.ghosts[0]);
    s.ghosts[1].status = 200;
    const f = failuresOf(s);
    expect(f).toContain("differs from its twin's (valid messages alone) in: logRank");
    expect(f).toContain(`ghost trials listed by GET /trials (outcome events of trials never registered): ${plan.ghosts[0]}`);
    expect(f).toContain(`GET /trials/${plan.ghosts[1]} (never registered) answered 200`);
  });

  it("fail when a dead letter's reason carries a patient's NHS number", () => {
    const s = goodState();
    s.letters[0].reason = `no match for ${[...plan.fuzz.people.values()][0].nhsNumber}`;
    expect(failuresOf(s)).toContain("carrying a patient's NHS number or family name: 1");
  });
});
