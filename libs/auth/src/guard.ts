import {
  CanActivate, createParamDecorator, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal, Role, verifyToken } from './tokens';

const PUBLIC = 'auth:public';
const ROLES = 'auth:roles';

/** Marks a route (or controller) that needs no token, such as /health and the dashboard's static page. */
export const Public = () => SetMetadata(PUBLIC, true);
/** Restricts a route (or controller) to these roles; without it, any valid token will do. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: Principal;
}

/** The signed-in principal, set by AuthGuard. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const user = ctx.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new UnauthorizedException('not signed in');
  return user;
});

export const AUTH_SECRET = Symbol('AUTH_SECRET');

/**
 * Every HTTP route needs a valid bearer token (401 otherwise) and, where `@Roles` says so,
 * one of the roles (403). EventSource cannot send headers, so `?access_token=` is accepted
 * too, for the SSE stream only.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly secret: string) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<RequestWithUser>();
    const token = bearer(req);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    const verified = verifyToken(this.secret, token);
    if (!verified.ok) throw new UnauthorizedException(verified.error.reason);
    req.user = verified.value;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (allowed && !allowed.includes(verified.value.role)) {
      throw new ForbiddenException(`role ${verified.value.role} may not use this endpoint`);
    }
    return true;
  }
}

function bearer(req: RequestWithUser): string | null {
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value?.startsWith('Bearer ')) return value.slice(7).trim();
  const q = req.query?.access_token;
  return typeof q === 'string' && q ? q : null;
}
