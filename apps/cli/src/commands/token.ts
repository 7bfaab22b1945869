import { Command, InvalidArgumentError } from 'commander';
import { devSecretFile, loadConfig } from '@trial/config';
import { MAX_TOKEN_LIFETIME_SECONDS, parseTtl, resolveSecret, role, Role, roles, signToken } from '@trial/auth';

/**
 * `followup token --role dsmb [--ttl 8h] [--sub NAME]`: prints a bearer token the running
 * API accepts, signed with AUTH_SECRET or the generated development secret.
 */
export function register(program: Command): void {
  program
    .command('token')
    .description('print a bearer token for the API')
    .requiredOption('--role <role>', roles.join(' | '), (v: string): Role => {
      const r = role.safeParse(v);
      if (!r.success) throw new InvalidArgumentError(`must be one of ${roles.join(', ')}`);
      return r.data;
    })
    .option(
      '--ttl <duration>',
      'lifetime, e.g. 8h, 30m (at most 12h)',
      (v: string) => {
        const s = parseTtl(v);
        if (s === null) throw new InvalidArgumentError('must be a duration such as 8h or 30m');
        // The API refuses longer-lived tokens: do not print one that would not work.
        if (s > MAX_TOKEN_LIFETIME_SECONDS) throw new InvalidArgumentError(`must be at most ${MAX_TOKEN_LIFETIME_SECONDS / 3600}h`);
        return s;
      },
      8 * 3600,
    )
    .option('--sub <name>', 'who the token is for (recorded in the audit log)')
    .action((opts: { role: Role; ttl: number; sub?: string }) => {
      const config = loadConfig();
      const secret = resolveSecret(config.AUTH_SECRET, devSecretFile());
      process.stdout.write(`${signToken(secret, { sub: opts.sub ?? `${opts.role}-user`, role: opts.role, ttlSeconds: opts.ttl })}\n`);
    });
}
