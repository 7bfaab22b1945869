// `followup interim`: the DSMB's decision at a look (contract part 3 of
// shared/contracts/stats-cli.md). A thin layer over interimAnalysis in @trial/survival.
import { Command } from 'commander';
import { interimAnalysis, InterimResult, Spending, SurvivalError } from '@trial/survival';
import { alphaProblem, looksProblem } from '../design-range';
import { printOrExit, UsageError } from '../usage';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function number(name: string, text: string): number {
  if (!NUMBER.test(text.trim())) throw new UsageError(`followup interim: ${name} must be a number, got '${text}'`);
  return Number(text);
}

function list(name: string, text: string): number[] {
  return text.split(',').map((s) => number(name, s));
}

function spending(name: string, text: string, allowNone: boolean): Spending | 'none' {
  if (text === 'obrien-fleming' || text === 'pocock' || (allowNone && text === 'none')) return text;
  throw new UsageError(`followup interim: ${name} must be ${allowNone ? 'none, ' : ''}obrien-fleming or pocock, got '${text}'`);
}

interface RawOptions {
  plannedEvents: string;
  events: string;
  z: string;
  looks: string;
  alpha: string;
  sided: string;
  spending: string;
  futility: string;
  beta: string;
  hr1?: string;
  allocation: string;
  json?: boolean;
}

const f = (x: number | null | undefined, d = 4): string => (x === null || x === undefined ? '-' : x.toFixed(d));

export function formatInterim(r: InterimResult): string {
  const rows = [['look', 'info', 'events', 'z', 'efficacy', 'futility', 'action', 'repeated CI (HR)', 'repeated p', 'CP']];
  for (const l of r.looks) {
    rows.push([
      String(l.look) + (l.taken ? '' : ' (to come)'),
      l.info.toFixed(4),
      String(Math.round(l.events * 100) / 100),
      l.z === undefined ? '-' : l.z.toFixed(3),
      `-z >= ${f(l.efficacyZ, 3)}`,
      l.futilityZ === null ? '-' : `-z <= ${f(l.futilityZ, 3)}`,
      l.action ?? '-',
      l.repeatedCi === undefined ? '-' : `${f(l.repeatedCi.lower)} - ${f(l.repeatedCi.upper)}`,
      f(l.repeatedP),
      f(l.conditionalPower),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padStart(widths[c])).join('  '));
  const out = [
    `Group-sequential log-rank test, ${r.spending} alpha spending, alpha = ${r.alpha}, ${r.sided}-sided, futility: ${r.futility}`,
    `${r.plannedEvents} planned events; z < 0 favours the experimental arm`,
    '',
    ...lines,
    '',
    `conditional rejection probability: ${f(r.conditionalRejectionProbability)}`,
  ];
  if (r.conditionalPower) out.push(`conditional power at HR ${r.conditionalPower.hr1}: ${f(r.conditionalPower.final)}`);
  if (r.conditionalPowerTrend) out.push(`conditional power at the trend HR ${f(r.conditionalPowerTrend.hr)}: ${f(r.conditionalPowerTrend.final)}`);
  if (r.final) {
    out.push(
      `final (stage-wise ordering, look ${r.final.look}): p = ${f(r.final.pValue, 6)}, ` +
        `HR ${f(r.final.medianUnbiased)} (${f(r.final.lower)} - ${f(r.final.upper)})`,
    );
  }
  return out.join('\n') + '\n';
}

export function runInterim(raw: RawOptions): string {
  const plannedEvents = number('--planned-events', raw.plannedEvents);
  const events = list('--events', raw.events);
  const z = list('--z', raw.z);
  const looks = list('--looks', raw.looks);
  const alpha = number('--alpha', raw.alpha);
  const sidedNumber = number('--sided', raw.sided);
  if (sidedNumber !== 1 && sidedNumber !== 2) throw new UsageError(`followup interim: --sided must be 1 or 2, got ${raw.sided}`);
  const sided: 1 | 2 = sidedNumber;
  const spend = spending('--spending', raw.spending, false) as Spending;
  const futility = spending('--futility', raw.futility, true);
  const beta = number('--beta', raw.beta);
  const hr1 = raw.hr1 === undefined ? undefined : number('--hr1', raw.hr1);
  const allocation = number('--allocation', raw.allocation);
  const fail = (msg: string): never => {
    throw new UsageError(`followup interim: ${msg}`);
  };
  if (!(plannedEvents > 0)) fail(`--planned-events must be positive, got ${raw.plannedEvents}`);
  if (!Number.isInteger(plannedEvents)) fail(`--planned-events must be a whole number of events, got ${raw.plannedEvents}`);
  if (events.length !== z.length) fail(`--events and --z must have the same length, got ${events.length} and ${z.length}`);
  events.forEach((e, i) => {
    if (!(e > 0)) fail(`--events must be positive, got ${e}`);
    if (!Number.isInteger(e)) fail(`--events must be whole numbers of events, got ${e}`);
    if (i > 0 && !(e > events[i - 1])) fail(`--events must increase, got ${raw.events}`);
  });
  const reached = events.find((e) => e >= plannedEvents) ?? plannedEvents;
  if (events.some((e) => e / reached > 1)) fail(`--events gives a rate outside (0, 1]: ${raw.events} of ${reached}`);
  looks.forEach((t, i) => {
    if (!(t > 0 && t <= 1)) fail(`--looks has a rate outside (0, 1]: ${t}`);
    if (i > 0 && !(t > looks[i - 1])) fail(`--looks must increase, got ${raw.looks}`);
  });
  const range = alphaProblem(alpha, raw.alpha) ?? looksProblem('--events', events.length) ?? looksProblem('--looks', looks.length);
  if (range !== null) fail(range);
  if (futility !== 'none' && sided !== 1) fail('--futility needs --sided 1');
  if (futility !== 'none' && !(beta > 0 && beta < 1 - alpha)) fail(`--beta must be in (0, 1 - alpha), got ${raw.beta}`);
  if (hr1 !== undefined && !(hr1 > 0)) fail(`--hr1 must be positive, got ${raw.hr1}`);
  if (!(allocation > 0)) fail(`--allocation must be positive, got ${raw.allocation}`);
  try {
    const result = interimAnalysis({ plannedEvents, events, z, looks, alpha, sided, spending: spend, futility, beta, hr1, allocation });
    // The looks taken and the planned ones after them are the design's (stats-cli.md): rpact's kMax bounds them together.
    const designLooks = looksProblem('--events with --looks', result.looks.length);
    if (designLooks !== null) fail(designLooks);
    return raw.json === true ? JSON.stringify(result) + '\n' : formatInterim(result);
  } catch (err) {
    if (!(err instanceof SurvivalError)) throw err;
    // A design rpact refuses (futility reaching efficacy) is the futility options' doing.
    const option = err.message.startsWith('futility bound') ? `--futility ${futility} with --beta ${raw.beta}: ` : '';
    throw new UsageError(`followup interim: ${option}${err.message}`);
  }
}

export function register(program: Command): void {
  program
    .command('interim')
    .description("the DSMB's decision at a look: boundaries at the information reached, futility, repeated CIs, conditional power, final inference")
    .requiredOption('--planned-events <n>', 'events planned at the final analysis')
    .requiredOption('--events <e1,e2,...>', 'cumulative events at each look taken')
    .requiredOption('--z <z1,z2,...>', 'log-rank z at each look taken (negative favours the experimental arm)')
    .option('--looks <r1,...,1>', 'planned information rates', '1')
    .option('--alpha <alpha>', 'type I error', '0.025')
    .option('--sided <n>', '1 or 2', '1')
    .option('--spending <type>', 'obrien-fleming or pocock', 'obrien-fleming')
    .option('--futility <type>', 'none, obrien-fleming or pocock (non-binding beta spending)', 'none')
    .option('--beta <beta>', 'type II error spent by the futility boundary', '0.2')
    .option('--hr1 <hr>', 'hazard ratio the trial was powered for')
    .option('--allocation <r>', 'allocation ratio experimental : control', '1')
    .option('--json', 'print one JSON document')
    .action(printOrExit((raw: RawOptions) => runInterim(raw)));
}
