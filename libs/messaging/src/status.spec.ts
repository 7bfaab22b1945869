import { ConsumerStatus, LagSample, lagKeepsGrowing } from './status';

const s = (lag: number, committed: number, i = 0): LagSample => ({ at: `2026-12-01T10:00:0${i}Z`, lag, committed });

describe('lagKeepsGrowing', () => {
  it('is true only after n rises in a row with nothing committed', () => {
    expect(lagKeepsGrowing([s(1, 5), s(2, 5), s(3, 5)], 3)).toBe(false); // two rises only
    expect(lagKeepsGrowing([s(1, 5), s(2, 5), s(3, 5), s(4, 5)], 3)).toBe(true);
    expect(lagKeepsGrowing([s(1, 5), s(2, 5), s(2, 5), s(4, 5)], 3)).toBe(false); // a flat step
    expect(lagKeepsGrowing([s(1, 5), s(2, 6), s(3, 7), s(4, 8)], 3)).toBe(false); // consuming, just behind
    expect(lagKeepsGrowing([s(9, 5), s(1, 5), s(2, 5), s(3, 5), s(4, 5)], 3)).toBe(true); // the last n count
  });
});

describe('ConsumerStatus', () => {
  it('is ready only when running, not retrying and not falling behind', () => {
    const st = new ConsumerStatus(2);
    expect(st.readiness()).toMatchObject({ ready: true, state: 'none' });
    st.starting();
    expect(st.readiness()).toMatchObject({ ready: false, state: 'starting' });
    st.running();
    expect(st.readiness()).toMatchObject({ ready: true, state: 'running', reason: null });
    st.retrying('t:0', 'postgres 53100 (disk full)', 'T1');
    st.retrying('t:0', 'postgres 53100 (disk full)', 'T2');
    expect(st.readiness()).toMatchObject({
      ready: false,
      state: 'retrying',
      reason: 'retrying an environmental failure: postgres 53100 (disk full)',
      retrying: [{ partition: 't:0', reason: 'postgres 53100 (disk full)', since: 'T1' }],
    });
    st.recovered('t:0');
    expect(st.readiness()).toMatchObject({ ready: true, state: 'running' });
    [s(1, 0), s(2, 0), s(3, 0)].forEach((x) => st.sample(x));
    expect(st.readiness()).toMatchObject({ ready: false, state: 'running', lag: 3, lagGrowing: true });
    st.resetLag();
    expect(st.readiness().ready).toBe(true);
    st.stopped('crashed: kafka KafkaJSProtocolError');
    expect(st.readiness()).toMatchObject({ ready: false, state: 'stopped', reason: 'crashed: kafka KafkaJSProtocolError' });
  });
});
