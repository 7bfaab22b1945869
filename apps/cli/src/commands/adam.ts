// `followup adam --trial T [--data-cutoff D] [--out FILE]`: the trial's ADaM package (ADSL and
// ADTTE as CSV and SAS transport v5, one zip), from the read store the services write (the
// same follow-ups GET /trials/:id/adam and adtte.csv give), with the services' DATABASE_URL.
// The read is unblinded, so it is audited like the API's (view `adam`, sub `followup-cli`).
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '@trial/config';
import { adamZip } from '@trial/readmodel';
import { followUpsNow, recordAudit } from '@trial/projection';
import { createDataSource } from '@trial/storage';

const civilDate = (v: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  return v;
};

export function register(program: Command): void {
  program
    .command('adam')
    .description("write the trial's ADaM package (adsl/adtte as CSV and XPT v5) as one zip")
    .requiredOption('--trial <trialId>', 'the trial')
    .option('--data-cutoff <YYYY-MM-DD>', 'administrative cutoff: censor everyone here at the latest', civilDate)
    .option('--out <file>', 'where to write the zip (default: TRIAL-adam.zip here)')
    .action(async (opts: { trial: string; dataCutoff?: string; out?: string }) => {
      const config = loadConfig();
      const ds = await createDataSource(config.DATABASE_URL, { applicationName: 'followup-adam', poolSize: 1 }).initialize();
      try {
        const { design, followUps } = await followUpsNow(ds, opts.trial, opts.dataCutoff);
        const query = opts.dataCutoff ? { dataCutoff: opts.dataCutoff } : {};
        await recordAudit(ds, { sub: 'followup-cli', role: 'cli', trialId: opts.trial, view: 'adam', query });
        const out = opts.out ?? `${opts.trial.replace(/[^A-Za-z0-9._-]/g, '_')}-adam.zip`;
        writeFileSync(out, adamZip(opts.trial, design, followUps, new Date()));
        process.stdout.write(`${out}: ADaM package of ${opts.trial}, ${followUps.length} patients (adsl.csv, adsl.xpt, adtte.csv, adtte.xpt)\n`);
      } finally {
        await ds.destroy();
      }
    });
}
