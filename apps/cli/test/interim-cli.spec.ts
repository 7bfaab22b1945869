// `followup interim` as the user runs it (contract part 3 of shared/contracts/stats-cli.md):
// the JSON document's keys, and bad input exiting 2 with one line naming the option and
// nothing on stdout. Driven in-process through commander, as main.ts wires it.
import { runCli } from '../../../test/support/cli';
import { register } from '../src/commands/interim';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli([register], ['interim', ...args]);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

describe('followup interim --json', () => {
  test('one look taken of three, futility and --hr1: the contract keys, looks to come without z or action', async () => {
    const r = await run([
      '--planned-events',
      '120',
      '--events',
      '40',
      '--z',
      '-1.1',
      '--looks',
      '0.3333333333333333,0.6666666666666666,1',
      '--futility',
      'obrien-fleming',
      '--hr1',
      '0.7',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      'plannedEvents',
      'alpha',
      'sided',
      'spending',
      'futility',
      'looks',
      'conditionalRejectionProbability',
      'conditionalPower',
      'conditionalPowerTrend',
      'final',
    ]);
    expect(doc).toMatchObject({ plannedEvents: 120, alpha: 0.025, sided: 1, spending: 'obrien-fleming', futility: 'obrien-fleming', final: null });
    const looks = doc.looks as Array<Record<string, unknown>>;
    expect(looks.map((l) => Object.keys(l))).toEqual([
      ['look', 'info', 'taken', 'events', 'z', 'efficacyZ', 'futilityZ', 'cumulativeAlpha', 'action', 'repeatedCi', 'repeatedP'],
      ['look', 'info', 'taken', 'events', 'efficacyZ', 'futilityZ', 'cumulativeAlpha', 'conditionalPower'],
      ['look', 'info', 'taken', 'events', 'efficacyZ', 'futilityZ', 'cumulativeAlpha', 'conditionalPower'],
    ]);
    expect(looks.map((l) => [l.info, l.taken, l.events])).toEqual([
      [1 / 3, true, 40],
      [0.6666666666666666, false, 80],
      [1, false, 120],
    ]);
    expect(looks[0].action).toBe('continue');
    expect(looks[2].futilityZ).toBeNull();
    // rpact: res$repeatedConfidenceIntervalLowerBounds[1] = 0.218460224424962, UpperBounds[1] = 2.28290840587363
    expect(looks[0].repeatedCi).toEqual({ lower: expect.closeTo(0.218460224424962, 4), upper: expect.closeTo(2.28290840587363, 4) });
  });

  test('without --hr1 and with no look to come: no conditional power keys', async () => {
    const r = await run(['--planned-events', '100', '--events', '50,100', '--z', '-1.5,-2.3', '--looks', '0.5,1', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('conditionalPower');
    expect(doc).not.toHaveProperty('conditionalPowerTrend');
    expect(doc.conditionalRejectionProbability).toBeNull();
    expect(doc.final).toMatchObject({ look: 2 });
    expect((doc.looks as Array<{ action: string }>).map((l) => l.action)).toEqual(['continue', 'reject']);
  });

  test('the human-readable report names the sign convention', async () => {
    const r = await run(['--planned-events', '100', '--events', '50', '--z', '-1.5', '--looks', '0.5,1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/z < 0 favours the experimental arm/);
  });
});

describe('followup interim: bad input exits 2 with one line naming the option', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['lengths differ', ['--planned-events', '100', '--events', '30,60', '--z', '-1'], /--events and --z must have the same length/],
    ['events not increasing', ['--planned-events', '100', '--events', '60,30', '--z', '-1,-2'], /--events must increase/],
    ['a rate above 1', ['--planned-events', '100', '--events', '100,120', '--z', '-1,-2'], /--events gives a rate outside \(0, 1\]/],
    [
      'a planned rate outside (0, 1]',
      ['--planned-events', '100', '--events', '30', '--z', '-1', '--looks', '0.5,1.2'],
      /--looks has a rate outside \(0, 1\]/,
    ],
    [
      'futility with two sides',
      ['--planned-events', '100', '--events', '30', '--z', '-1', '--sided', '2', '--futility', 'pocock'],
      /--futility needs --sided 1/,
    ],
    ['a non-number', ['--planned-events', '100', '--events', '30', '--z', 'low'], /--z must be a number, got 'low'/],
    // rpact: getDesignGroupSequential(kMax = 2, alpha = 0.025, sided = 1, informationRates = c(0.98, 1), typeOfDesign = 'asP',
    //   beta = 0.1, typeBetaSpending = 'bsP', bindingFutility = FALSE) stops: 'futilityBounds' (1.957) too extreme
    [
      'futility reaching efficacy',
      ['--planned-events', '100', '--events', '98', '--z', '-1', '--spending', 'pocock', '--futility', 'pocock', '--beta', '0.1'],
      /--futility pocock with --beta 0.1: futility bound .* too extreme/,
    ],
    [
      'an unknown spending',
      ['--planned-events', '100', '--events', '30', '--z', '-1', '--spending', 'haybittle'],
      /--spending must be obrien-fleming or pocock/,
    ],
    ['sided 3', ['--planned-events', '100', '--events', '30', '--z', '-1', '--sided', '3'], /--sided must be 1 or 2/],
    // rpact refuses these designs: 'alpha' (0.6) is out of bounds [1e-06; 0.5); 'kMax' (21) is out of bounds [1; 20].
    [
      'an alpha rpact refuses',
      ['--planned-events', '100', '--events', '30', '--z', '-1', '--alpha', '0.6'],
      /--alpha must be at least 1e-6 and below 0.5/,
    ],
    [
      'more than 20 planned looks',
      ['--planned-events', '100', '--events', '3', '--z', '-1', '--looks', Array.from({ length: 21 }, (_, i) => String((i + 1) / 21)).join(',')],
      /--looks gives 21 looks; a design has at most 20/,
    ],
    [
      'more than 20 looks with those taken',
      // 20 looks taken short of the planned events: the design adds the final one.
      [
        '--planned-events',
        '1000',
        '--events',
        Array.from({ length: 20 }, (_, i) => String(i + 1)).join(','),
        '--z',
        Array.from({ length: 20 }, () => '-1').join(','),
      ],
      /--events with --looks gives 21 looks; a design has at most 20/,
    ],
    ['a fraction of an event', ['--planned-events', '100', '--events', '30.5', '--z', '-1'], /--events must be whole numbers of events, got 30.5/],
    ['planned events not whole', ['--planned-events', '99.5', '--events', '30', '--z', '-1'], /--planned-events must be a whole number of events/],
  ];
  test.each(cases)('%s', async (_name, args, message) => {
    const r = await run([...args, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^followup interim: /);
  });
});
