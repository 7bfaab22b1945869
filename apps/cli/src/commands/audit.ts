// `followup audit verify`: walks the audit log's hash chain (@trial/readstore verifyAuditChain)
// with the services' DATABASE_URL. Exit 0 and the count and head when every row follows from the
// one before; exit 1 naming the first row that does not (altered, removed before it, or slipped in).
import { Command } from 'commander';
import { loadConfig } from '@trial/config';
import { verifyAuditChain } from '@trial/readstore';
import { createDataSource } from '@trial/storage';

export function register(program: Command): void {
  const audit = program.command('audit').description('the unblinded-read audit log');
  audit
    .command('verify')
    .description('recompute the audit log\'s hash chain; exit 1 naming the first broken row')
    .action(async () => {
      const config = loadConfig();
      const ds = await createDataSource(config.DATABASE_URL, { applicationName: 'followup-audit', poolSize: 1 }).initialize();
      try {
        const v = await verifyAuditChain(ds);
        if (v.ok) {
          // The head, recorded elsewhere (minutes, a ticket), is what shows a later rewrite of the whole chain.
          process.stdout.write(`audit chain verified: ${v.rows} rows${v.head ? `; head seq ${v.head.seq} hash ${v.head.hash}` : ''}\n`);
          process.exitCode = 0;
        } else {
          process.stderr.write(`followup audit verify: chain broken at row id ${v.brokenId}: ${v.reason} (${v.rows} rows before it verified)\n`);
          process.exitCode = 1;
        }
      } finally {
        await ds.destroy();
      }
    });
}
