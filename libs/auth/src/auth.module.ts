import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { AUTH_SECRET, AuthGuard } from './guard';

/** Installs AuthGuard on every route of the application, signed with `secret`. */
@Module({})
export class AuthModule {
  static forRoot(secret: string): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_SECRET, useValue: secret },
        { provide: APP_GUARD, inject: [Reflector], useFactory: (r: Reflector) => new AuthGuard(r, secret) },
      ],
      exports: [AUTH_SECRET],
    };
  }
}
