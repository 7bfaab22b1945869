import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BearerVerifier } from './bearer';
import { OidcVerifier } from './oidc';
import { StreamTickets } from './tickets';
import { Role, VerifiedPrincipal } from './tokens';

const PUBLIC = 'auth:public';
const ROLES = 'auth:roles';
const TICKET = 'auth:stream-ticket';

/** Marks a route (or controller) that needs no token, such as /health and the dashboard's static page. */
export const Public = () => SetMetadata(PUBLIC, true);
/** Restricts a route (or controller) to these roles; without it, any valid token will do. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);
/** Marks the SSE route: the only one that takes a credential in its URL, and then only a stream ticket (`?ticket=`). */
export const AcceptsStreamTicket = () => SetMetadata(TICKET, true);

/** Query parameters that would carry a credential; every route, public ones included, refuses a request that has one. */
const URL_CREDENTIALS = ['access_token', 'token', 'ticket', 'id_token', 'refresh_token', 'authorization'];

interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: VerifiedPrincipal;
}

/** The signed-in principal (with its token's expiry), set by AuthGuard. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): VerifiedPrincipal => {
  const user = ctx.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new UnauthorizedException('not signed in');
  return user;
});

export const AUTH_SECRET = Symbol('AUTH_SECRET');

/**
 * Every HTTP route needs a valid bearer token in the Authorization header (401 otherwise)
 * and, where `@Roles` says so, one of the roles (403). A credential in the URL is refused
 * with a 401 on every route, the public ones too (it ends up in logs, proxies, browser
 * history and the audit log's query), except on the
 * `@AcceptsStreamTicket` route, where EventSource cannot send headers: there a one-use
 * stream ticket (see StreamTickets) is accepted, never a token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly bearer: BearerVerifier;

  constructor(
    private readonly reflector: Reflector,
    secret: string,
    private readonly tickets: StreamTickets,
    oidc: OidcVerifier | null = null,
  ) {
    this.bearer = new BearerVerifier(secret, oidc);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<RequestWithUser>();
    const ticketRoute = this.reflector.getAllAndOverride<boolean>(TICKET, targets) === true;
    // Before the public routes return: a credential in their URL is as exposed as in any other
    // (the dashboard's old `/?token=` sign-in link put an 8-hour token in every log and history).
    refuseUrlCredentials(req, ticketRoute);
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const user = await this.principal(req, ticketRoute);
    req.user = user;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (allowed && !allowed.includes(user.role)) {
      throw new ForbiddenException(`role ${user.role} may not use this endpoint`);
    }
    return true;
  }

  private async principal(req: RequestWithUser, ticketRoute: boolean): Promise<VerifiedPrincipal> {
    const ticket = req.query?.ticket;
    if (ticketRoute && ticket !== undefined) {
      const who = typeof ticket === 'string' ? this.tickets.redeem(ticket) : null;
      // The token behind it may have expired in the ticket's few seconds.
      if (!who || who.exp <= Date.now() / 1000) throw new UnauthorizedException('stream ticket is not valid (unknown, used or expired)');
      return who;
    }
    const token = bearer(req);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    const verified = await this.bearer.verify(token);
    if (!verified.ok) throw new UnauthorizedException(verified.error.reason);
    return verified.value;
  }
}

/** A query key that names a credential: `token`, and as a nested key (`a[token]`, `a.token`) too. */
function isUrlCredential(key: string): boolean {
  return key
    .toLowerCase()
    .split(/[[\].]/)
    .some((part) => URL_CREDENTIALS.includes(part));
}

/** 401 for a credential in the query (the query parser has decoded `access%5Ftoken` already); on the stream, `?ticket=` alone is let through. */
function refuseUrlCredentials(req: RequestWithUser, ticketRoute: boolean): void {
  const inUrl = Object.keys(req.query ?? {}).filter(isUrlCredential);
  if (inUrl.some((k) => !(ticketRoute && k === 'ticket'))) {
    throw new UnauthorizedException(
      ticketRoute
        ? 'only a stream ticket (?ticket=, from POST /stream-tickets) is accepted in the URL'
        : 'credentials in the URL are refused: send Authorization: Bearer <token>',
    );
  }
}

function bearer(req: RequestWithUser): string | null {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  return value?.startsWith('Bearer ') ? value.slice(7).trim() || null : null;
}
