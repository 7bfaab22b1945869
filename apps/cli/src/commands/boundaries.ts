// `followup boundaries`: Lan-DeMets efficacy boundaries for the DSMB's interim looks
// (contract: shared/contracts/stats-cli.md). A thin layer over lanDeMetsBoundaries.
import { Command } from 'commander';
import { BoundariesResult, lanDeMetsBoundaries, Spending, SurvivalError } from '@trial/survival';
import { alphaProblem, looksProblem } from '../design-range';
import { printOrExit, usageOn, UsageError } from '../usage';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function number(name: string, text: string): number {
  if (!NUMBER.test(text.trim())) throw new UsageError(`followup boundaries: ${name} must be a number, got '${text}'`);
  return Number(text);
}

export function formatBoundaries(r: BoundariesResult): string {
  const name = r.spending === 'obrien-fleming' ? "O'Brien-Fleming" : 'Pocock';
  const rows = [['look', 'info', r.sided === 2 ? 'reject if |Z| >=' : 'reject if Z >=', 'nominal p (1-sided)', 'cumulative alpha']];
  // A look where no z can reject (its bound is infinite; null in the JSON) says so.
  const zText = (z: number): string => (Number.isFinite(z) ? z.toFixed(4) : 'none');
  r.looks.forEach((l, i) => rows.push([String(i + 1), String(l.info), zText(l.z), l.nominalP.toFixed(6), l.cumulativeAlpha.toFixed(6)]));
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padStart(widths[c])).join('  '));
  return [`Lan-DeMets ${name}-type alpha spending, alpha = ${r.alpha}, ${r.sided}-sided`, '', ...lines].join('\n') + '\n';
}

interface RawOptions {
  info: string;
  alpha: string;
  sided: string;
  spending: string;
  json?: boolean;
}

export function runBoundaries(raw: RawOptions): string {
  const info = raw.info.split(',').map((s) => number('--info', s));
  const alpha = number('--alpha', raw.alpha);
  const range = alphaProblem(alpha, raw.alpha) ?? looksProblem('--info', info.length);
  if (range !== null) throw new UsageError(`followup boundaries: ${range}`);
  const sidedNumber = number('--sided', raw.sided);
  if (sidedNumber !== 1 && sidedNumber !== 2) throw new UsageError(`followup boundaries: --sided must be 1 or 2, got ${raw.sided}`);
  const sided: 1 | 2 = sidedNumber;
  let spending: Spending;
  if (raw.spending === 'obrien-fleming' || raw.spending === 'pocock') spending = raw.spending;
  else throw new UsageError(`followup boundaries: --spending must be obrien-fleming or pocock, got '${raw.spending}'`);
  const result = usageOn('followup boundaries', () => lanDeMetsBoundaries({ info, alpha, sided, spending }), SurvivalError);
  return raw.json === true ? JSON.stringify(result) + '\n' : formatBoundaries(result);
}

export function register(program: Command): void {
  program
    .command('boundaries')
    .description('Lan-DeMets group-sequential efficacy boundaries for interim looks')
    .requiredOption('--info <fractions>', 'information fractions of the looks, e.g. 0.5,0.75,1')
    .option('--alpha <alpha>', 'overall type I error', '0.05')
    .option('--sided <n>', '1 or 2', '2')
    .option('--spending <type>', 'obrien-fleming or pocock', 'obrien-fleming')
    .option('--json', 'print one JSON document')
    .action(printOrExit((raw: RawOptions) => runBoundaries(raw)));
}
