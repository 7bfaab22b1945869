import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export { freePort } from '../../../apps/cli/src/supervisor';

export interface RunningProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** Starts oidc-provider (support/oidc-provider.mjs) on `port` and waits for it to listen. */
export function startProvider(port: number, audience: string, redirectUri: string): Promise<RunningProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs'), String(port), audience, redirectUri], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve({ issuer: `http://127.0.0.1:${port}`, stop });
    });
    child.once('exit', (code) => reject(new Error(`oidc-provider exited with ${code}: ${err}`)));
  });
}

/** A client-credentials access token for the API's audience (its groups make it a dsmb token). */
export async function machineToken(issuer: string, audience: string): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('machine:machine-secret-for-tests-only').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: audience, scope: 'followup' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Through the provider's own login and consent pages, as a person does, and back to the dashboard. */
export async function signInThroughProvider(page: Page, base: string, issuer: string, login: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.click('[data-testid=oidc-sign-in]');
  await page.waitForURL(`${issuer}/**`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.waitForSelector('button:has-text("Continue")');
  await page.click('button:has-text("Continue")');
  await page.waitForURL(`${base}/**`);
  // Back on the dashboard: the exchange is done once the page has drawn a state.
  await page.waitForSelector('body[data-state]');
}
