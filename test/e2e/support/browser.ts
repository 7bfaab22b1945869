import { Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, never a downloaded browser. The network is closed, so everything that
 * would phone home is switched off. `launch` gives every run a fresh temporary profile
 * (Playwright refuses an explicit --user-data-dir outside launchPersistentContext).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Arm-level figures anywhere in a JSON document: the things a blinded view must never carry. */
export function armLeaks(doc: unknown, armLabels: readonly string[], path = '$'): string[] {
  const out: string[] = [];
  if (Array.isArray(doc)) {
    doc.forEach((v, i) => out.push(...armLeaks(v, armLabels, `${path}[${i}]`)));
  } else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      const at = `${path}.${k}`;
      if (['cox', 'logRank', 'hazardRatios', 'byArm', 'deathRates'].includes(k) && v !== null) out.push(`${at} is present`);
      else if ((k === 'group' || k === 'arm') && v !== 'all') out.push(`${at} = ${JSON.stringify(v)}`);
      // The protocol's arm names in the trial listing (`arms`, `referenceArm`) say nothing about
      // outcomes by arm; any other place an arm label turns up is a by-arm figure.
      else if (k === 'arms' || k === 'referenceArm') continue;
      else out.push(...armLeaks(v, armLabels, at));
    }
  } else if (typeof doc === 'string' && armLabels.includes(doc)) {
    out.push(`${path} = ${JSON.stringify(doc)}`);
  }
  return out;
}
