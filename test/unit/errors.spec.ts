import { isCodedError } from '@trial/contracts';
import { ConfigError, loadConfig } from '@trial/config';
import { TrainingError } from '@trial/linkage';
import { ModelVersionConflict } from '@trial/linkage-service';
import { isPermanentError, PermanentError } from '@trial/messaging';
import { CohortFileError } from '@trial/registry';
import { SurvivalError } from '@trial/survival';
import { exitOnUsageError, UsageError } from '../../apps/cli/src/usage';

// One error family: every expected failure is a CodedError with a code from its union, which
// the one guard recognises; a plain Error with a `code` is not taken for one.
describe('errors: one coded family', () => {
  it.each([
    [new SurvivalError('NO_EVENTS', 'x'), 'NO_EVENTS', 'SurvivalError'],
    [new PermanentError('unknown-review', 'x'), 'unknown-review', 'PermanentError'],
    [new ConfigError('x'), 'invalid-config', 'ConfigError'],
    [new TrainingError('x'), 'untrainable', 'TrainingError'],
    [new CohortFileError('x'), 'cohort-unreadable', 'CohortFileError'],
    [new ModelVersionConflict('x'), 'model-version-conflict', 'ModelVersionConflict'],
    [new UsageError('x'), 'usage', 'UsageError'],
  ])('%s is a coded error', (e, code, name) => {
    expect(isCodedError(e)).toBe(true);
    expect(isCodedError(e, [code])).toBe(true);
    expect(isCodedError(e, ['another'])).toBe(false);
    expect([e.code, e.name, e.message]).toEqual([code, name, 'x']);
  });

  it('recognises a configuration error from loadConfig and a permanent error by code', () => {
    let thrown: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (e) {
      thrown = e;
    }
    expect(isCodedError(thrown, ['invalid-config'])).toBe(true);
    expect(isPermanentError(new PermanentError('out-of-order', 'x'), ['out-of-order'])).toBe(true);
    expect(isPermanentError(new UsageError('x'))).toBe(false);
  });

  it('ends a CLI command on a usage error with status 2 and one line; rethrows anything else', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      exitOnUsageError(new UsageError('cannot read a\nb.csv'), { prefix: 'followup link: ', fold: true });
      expect(write).toHaveBeenCalledWith('followup link: cannot read a b.csv\n');
      expect(process.exitCode).toBe(2);
      expect(() => exitOnUsageError(new Error('boom'))).toThrow('boom');
    } finally {
      write.mockRestore();
      process.exitCode = before;
    }
  });
});
