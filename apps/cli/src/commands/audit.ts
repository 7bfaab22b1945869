// `followup audit verify`: walks the audit log's hash chain (@trial/projection verifyAuditChain)
// with the services' DATABASE_URL. Exit 0 and the count and head when every row follows from the
// one before; exit 1 naming the first row that does not (altered, removed before it, or slipped in),
// or, with --head, when the chain no longer holds a head printed earlier (its end cut off, or rewritten).
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '@trial/config';
import { verifyAuditChain } from '@trial/projection';
import { createDataSource } from '@trial/storage';

export function register(program: Command): void {
  const audit = program.command('audit').description('the unblinded-read audit log');
  audit
    .command('verify')
    .description("recompute the audit log's hash chain; exit 1 naming the first broken row")
    .option('--head <seq:hash>', 'a head printed by an earlier verify, which the chain must still hold', (v: string) => {
      const m = /^(\d+):([0-9a-f]{64})$/.exec(v.trim());
      if (!m) throw new InvalidArgumentError('must be SEQ:HASH as printed by audit verify, e.g. 25:3f…');
      return { seq: Number(m[1]), hash: m[2] };
    })
    .action(async (opts: { head?: { seq: number; hash: string } }) => {
      const config = loadConfig();
      const ds = await createDataSource(config.DATABASE_URL, { applicationName: 'followup-audit', poolSize: 1 }).initialize();
      try {
        const v = await verifyAuditChain(ds, 5000, opts.head);
        if (v.ok) {
          // The head, recorded elsewhere (minutes, a ticket), is what shows a later rewrite of the whole chain.
          process.stdout.write(
            `audit chain verified: ${v.rows} rows${v.head ? `; head seq ${v.head.seq} hash ${v.head.hash} (--head ${v.head.seq}:${v.head.hash})` : ''}\n`,
          );
          process.exitCode = 0;
        } else {
          const where = v.brokenId === null ? 'chain broken' : `chain broken at row id ${v.brokenId}`;
          process.stderr.write(`followup audit verify: ${where}: ${v.reason} (${v.rows} rows before it verified)\n`);
          process.exitCode = 1;
        }
      } finally {
        await ds.destroy();
      }
    });
}
