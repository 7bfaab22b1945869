import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { AUTH_SECRET, AuthGuard } from './guard';
import { StreamTickets } from './tickets';

/** Installs AuthGuard on every route of the application, signed with `secret`, and the process's stream tickets. */
@Module({})
export class AuthModule {
  static forRoot(secret: string): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_SECRET, useValue: secret },
        { provide: StreamTickets, useValue: new StreamTickets() },
        { provide: APP_GUARD, inject: [Reflector, StreamTickets], useFactory: (r: Reflector, t: StreamTickets) => new AuthGuard(r, secret, t) },
      ],
      exports: [AUTH_SECRET, StreamTickets],
    };
  }
}
