import { byArmFigures, checkAnswers, dotsEncoded, hostileProbes, leaks, tokens } from './http-probes';

const ctx = { secret: 's'.repeat(8) + 'fuzz-secret-fuzz-secret-0123', trialId: 'FZ-1', reviewId: 'r-1', now: () => Date.UTC(2026, 11, 1) };

describe('the HTTP fuzz checks', () => {
  it('sends every route without a token, with hostile ones, with the wrong role and with a token in the URL', () => {
    const probes = hostileProbes(ctx);
    for (const path of [
      '/trials',
      '/trials/FZ-1/stream',
      '/audit',
      '/reviews/r-1/decision',
      '/registry/extracts',
      '/registry/completeness-corrections',
      '/stream-tickets',
    ]) {
      const mine = probes.filter((p) => p.path.split('?')[0] === path);
      expect(mine.some((p) => !p.headers.authorization && !p.path.includes('?'))).toBe(true);
      expect(mine.some((p) => p.what.includes('alg'))).toBe(true);
      expect(mine.some((p) => p.what.includes('wrong role'))).toBe(true);
      expect(mine.some((p) => p.path.includes('access_token='))).toBe(true);
      // Percent-encoded names and dots.
      expect(mine.some((p) => p.path.includes('access%5Ftoken=') && /%2E/.test(p.path))).toBe(true);
      expect(mine.some((p) => p.path.includes('ticke%74='))).toBe(true);
    }
    for (const path of ['/health', '/', '/dashboard/app.css']) {
      expect(
        probes.filter((p) => p.path.split('?')[0] === path && p.expect === '4xx' && /token=|ticke%74=/.test(p.path)).length,
      ).toBeGreaterThanOrEqual(3);
    }
    expect(probes.filter((p) => p.expect === '4xx').length).toBeGreaterThan(400);
  });

  it('fails a 500, a 2xx to what must be refused, and no answer; passes a 4xx', () => {
    const [p] = hostileProbes(ctx);
    expect(checkAnswers([{ probe: p, status: 401, body: '' }])).toEqual([]);
    expect(
      checkAnswers([
        { probe: p, status: 500, body: 'boom' },
        { probe: p, status: 200, body: '' },
        { probe: p, status: 0, body: '' },
      ]),
    ).toHaveLength(3);
    expect(checkAnswers([{ probe: { ...p, expect: 'no-5xx' }, status: 200, body: '' }])).toEqual([]);
  });

  it('finds by-arm figures in a monitor answer, and none in the pooled view', () => {
    expect(byArmFigures({ groups: [{ group: 'all', n: 4 }], atRisk: { groups: [{ group: 'all', counts: [4] }] } }, ['control', 'active'])).toEqual(
      [],
    );
    expect(
      byArmFigures(
        {
          groups: [
            { group: 'all', n: 4 },
            { group: 'control', n: 2 },
          ],
        },
        ['control'],
      ),
    ).toHaveLength(2);
    expect(byArmFigures({ accrual: { control: 3 } }, ['control'])).toHaveLength(1);
    expect(byArmFigures({ deathRate: { arm: 'active' } }, ['active'])).toHaveLength(1);
  });

  it('finds a token or an identifier in a line, and says where without repeating it', () => {
    const t = tokens(ctx.secret, ctx.now());
    const found = leaks(
      [`{"msg":"req","authorization":"Bearer ${t.dsmb}"}`, 'nothing here', '{"reason":"DEC_SURNAME: is QUILLFEATHER"}'],
      [t.dsmb],
      ['QUILLFEATHER'],
    );
    expect(found).toHaveLength(2);
    expect(found.join('\n')).not.toMatch(/QUILLFEATHER|eyJ/);
    expect(leaks(['{"msg":"token [redacted]"}'], [t.dsmb], ['QUILLFEATHER'])).toEqual([]);
    // Percent-encoded, the dots or the whole token.
    expect(leaks([`{"url":"/trials?access%5Ftoken=${dotsEncoded(t.dsmb)}"}`], [t.dsmb], [])).toHaveLength(1);
    expect(leaks([`{"url":"/x?a=${encodeURIComponent(t.dsmb).replace(/e/g, '%65')}"}`], [t.dsmb], [])).toHaveLength(1);
  });
});
