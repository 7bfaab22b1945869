import { BadRequestException, Body, Controller, Get, Header, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { type ExchangeResult, OidcSignIn, Public, type SignInConfig } from '@trial/auth';

const exchange = z.object({
  code: z.string().min(1).max(4096),
  codeVerifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be an RFC 7636 code verifier'),
  redirectUri: z.string().url().max(2048),
});
const renewal = z.object({ refreshToken: z.string().min(1).max(8192) });

interface SignedIn {
  accessToken: string;
  refreshToken: string | null;
  role: string;
  sub: string;
  exp: number;
}

/**
 * `GET /auth/config`: whether the dashboard signs in through the organisation's identity
 * provider, and where. `POST /auth/token`: the code of the authorisation-code flow with its
 * PKCE verifier, in the body (never a URL), for the verified access token and its role, and
 * the provider's refresh token if it issued one; `POST /auth/refresh` renews with that.
 */
@ApiTags('sign-in')
@Public()
@Controller('auth')
export class SignInController {
  constructor(private readonly signIn: OidcSignIn) {}

  @Get('config')
  @Header('Cache-Control', 'no-store')
  config(): Promise<SignInConfig> {
    return this.signIn.config();
  }

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Body() body: unknown): Promise<SignedIn> {
    const parsed = exchange.safeParse(body);
    if (!parsed.success) throw new BadRequestException('code, codeVerifier and redirectUri are required');
    return signedIn(await this.signIn.exchange(parsed.data));
  }

  /** `POST /auth/refresh`: the refresh token from the sign-in (in the body) for a new verified access token. */
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async refresh(@Body() body: unknown): Promise<SignedIn> {
    const parsed = renewal.safeParse(body);
    if (!parsed.success) throw new BadRequestException('refreshToken is required');
    return signedIn(await this.signIn.refresh(parsed.data.refreshToken));
  }
}

function signedIn(r: ExchangeResult): SignedIn {
  if (!r.ok) throw new UnauthorizedException(r.error.reason);
  const { accessToken, refreshToken, principal } = r.value;
  return { accessToken, refreshToken, role: principal.role, sub: principal.sub, exp: principal.exp };
}
