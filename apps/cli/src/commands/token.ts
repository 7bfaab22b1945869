import { Command, InvalidArgumentError } from 'commander';
import { devSecretFile, loadConfig } from '@trial/config';
import { parseTtl, resolveSecret, role, Role, roles, signToken } from '@trial/auth';

/**
 * `followup token --role dsmb [--ttl 8h] [--sub NAME]`: prints a bearer token the running
 * API accepts, signed with AUTH_SECRET or the generated development secret.
 */
export function register(program: Command): void {
  program.command('token')
    .description('print a bearer token for the API')
    .requiredOption('--role <role>', roles.join(' | '), (v: string): Role => {
      const r = role.safeParse(v);
      if (!r.success) throw new InvalidArgumentError(`must be one of ${roles.join(', ')}`);
      return r.data;
    })
    .option('--ttl <duration>', 'lifetime, e.g. 8h, 30m, 2d', (v: string) => {
      const s = parseTtl(v);
      if (s === null) throw new InvalidArgumentError('must be a duration such as 8h, 30m or 2d');
      return s;
    }, 8 * 3600)
    .option('--sub <name>', 'who the token is for (recorded in the audit log)')
    .action((opts: { role: Role; ttl: number; sub?: string }) => {
      const config = loadConfig();
      const secret = resolveSecret(config.AUTH_SECRET, devSecretFile());
      process.stdout.write(`${signToken(secret, { sub: opts.sub ?? `${opts.role}-user`, role: opts.role, ttlSeconds: opts.ttl })}\n`);
    });
}
