import { GroupCommit } from './group-commit';

type Item = { key: string; n: number };

/** A runner that records each group it ran and fails any group holding a "bad" item. */
function recording(): { groups: number[][]; run: (items: Item[]) => Promise<string[]> } {
  const groups: number[][] = [];
  return {
    groups,
    run: async (items) => {
      groups.push(items.map((i) => i.n));
      await new Promise((r) => setTimeout(r, 5));
      if (items.some((i) => i.key === 'bad')) throw new Error(`refused in a group of ${items.length}`);
      return items.map((i) => `done ${i.n}`);
    },
  };
}

describe('GroupCommit', () => {
  it('runs items handed over in one tick as one group, and each caller gets its own result', async () => {
    const r = recording();
    const g = new GroupCommit(r.run, (i: Item) => i.key);
    const outs = await Promise.all([1, 2, 3].map((n) => g.submit({ key: `p${n}`, n })));
    expect(outs).toEqual(['done 1', 'done 2', 'done 3']);
    expect(r.groups).toEqual([[1, 2, 3]]);
  });

  it('takes what arrived while a group ran as the next group, with no timer of its own', async () => {
    const r = recording();
    const g = new GroupCommit(r.run, (i: Item) => i.key);
    const first = g.submit({ key: 'p1', n: 1 });
    await new Promise((res) => setTimeout(res, 1)); // the first group is running now
    const later = [2, 3].map((n) => g.submit({ key: `p${n}`, n }));
    await Promise.all([first, ...later]);
    expect(r.groups).toEqual([[1], [2, 3]]);
  });

  it('never puts two items of one key in a group: the later waits for the next, in order', async () => {
    const r = recording();
    const g = new GroupCommit(r.run, (i: Item) => i.key);
    await Promise.all([g.submit({ key: 'p1', n: 1 }), g.submit({ key: 'p1', n: 2 }), g.submit({ key: 'p2', n: 3 })]);
    expect(r.groups).toEqual([[1, 3], [2]]);
  });

  it('re-runs a failed group item by item, so only the failing item rejects', async () => {
    const r = recording();
    const g = new GroupCommit(r.run, (i: Item) => i.key);
    const settled = await Promise.allSettled([g.submit({ key: 'p1', n: 1 }), g.submit({ key: 'bad', n: 2 }), g.submit({ key: 'p3', n: 3 })]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'done 1',
      'refused in a group of 1',
      'done 3',
    ]);
    expect(r.groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('holds a group to at most `max` items', async () => {
    const r = recording();
    const g = new GroupCommit(r.run, (i: Item) => i.key, 2);
    await Promise.all([1, 2, 3].map((n) => g.submit({ key: `p${n}`, n })));
    expect(r.groups).toEqual([[1, 2], [3]]);
  });
});
