import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { AUTH_SECRET, AuthGuard } from './guard';
import { OidcOptions, OidcVerifier } from './oidc';
import { OidcSignIn } from './oidc-signin';
import { StreamTickets } from './tickets';

/** Installs AuthGuard on every route of the application, signed with `secret`, and the process's stream tickets. */
@Module({})
export class AuthModule {
  /** `oidc`: also accept access tokens from this issuer (see OidcVerifier); null for development tokens only. */
  static forRoot(secret: string, oidc: (OidcOptions & { clientId: string | null; scopes: string }) | null = null): DynamicModule {
    const verifier = oidc ? new OidcVerifier(oidc) : null;
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_SECRET, useValue: secret },
        { provide: StreamTickets, useValue: new StreamTickets() },
        { provide: OidcSignIn, useValue: new OidcSignIn(oidc, verifier) },
        {
          provide: APP_GUARD,
          inject: [Reflector, StreamTickets],
          useFactory: (r: Reflector, t: StreamTickets) => new AuthGuard(r, secret, t, verifier),
        },
      ],
      exports: [AUTH_SECRET, StreamTickets, OidcSignIn],
    };
  }
}
