import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's `prometheus` package (apt-get install prometheus) puts promtool here. */
export const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const DIR = join(__dirname, '..', '..', 'infra', 'prometheus');

function promtool(...args: string[]): string {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: apt-get install prometheus (Debian's package)`);
  try {
    return execFileSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/**
 * The shipped Prometheus files (infra/prometheus) as promtool sees them: the config and rules
 * are valid, and the rules' unit tests (tests/followup.test.yml) pass and cover every alert.
 */
describe('infra/prometheus', () => {
  it('has a valid config and rule file', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toMatch(/SUCCESS: prometheus\.yml is valid/);
    expect(promtool('check', 'rules', 'rules/followup.rules.yml')).toMatch(/SUCCESS: 6 rules found/);
  });

  it('passes the promtool unit tests, which cover every alert', () => {
    expect(promtool('test', 'rules', 'tests/followup.test.yml')).toMatch(/SUCCESS/);
    const alerts = [...readFileSync(join(DIR, 'rules', 'followup.rules.yml'), 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tested = new Set([...readFileSync(join(DIR, 'tests', 'followup.test.yml'), 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'FollowupConsumerNotRunning',
        'FollowupConsumerLagGrowing',
        'FollowupDeadLettersWaiting',
        'FollowupRegistryCompletenessStalled',
        'FollowupReviewQueueOld',
      ]),
    );
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
  });
});
