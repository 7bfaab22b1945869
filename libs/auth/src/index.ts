// @trial/auth: HS256 bearer tokens with a role, a global Nest guard (@Public, @Roles,
// @CurrentUser), and the development secret file shared by the API and `followup token`.
export * from './tokens';
export * from './secret';
export * from './guard';
export * from './tickets';
export * from './auth.module';
export * from './oidc';
export * from './bearer';
export * from './oidc-signin';
