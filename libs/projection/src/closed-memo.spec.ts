import { closedAnalysis } from '@trial/readmodel';
import { closedFor } from './closed-memo';
import { design, followUp } from '../../readmodel/test/adam-fixtures';

describe('closedFor', () => {
  const people = [followUp({ id: 'A', arm: 'control', region: 'North' }), followUp({ id: 'B', arm: 'IABP', region: 'North' })];
  const key = (version: string, recordedAt = '2026-12-01T10:00:00.000Z') => ({ trialId: 'T1', version, recordedAt, query: {} });

  it('analyses a version once, and again for a new version, a new instant (a rebuild) or another query', async () => {
    const load = jest.fn(() => closedAnalysis(design, people));
    const first = await closedFor(key('7'), load);
    expect(await closedFor(key('7'), load)).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
    await closedFor(key('8'), load);
    await closedFor(key('7', '2026-12-01T11:00:00.000Z'), load);
    await closedFor({ ...key('7'), query: { ties: 'breslow' } }, load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('holds at most 16 versions, the least recently read going first', async () => {
    const load = jest.fn(() => closedAnalysis(design, people));
    const keep = await closedFor(key('100'), load);
    for (let v = 101; v < 120; v++) {
      await closedFor(key(String(v)), load);
      expect(await closedFor(key('100'), load)).toBe(keep);
    }
    const calls = load.mock.calls.length;
    await closedFor(key('101'), load);
    expect(load).toHaveBeenCalledTimes(calls + 1);
  });
});
