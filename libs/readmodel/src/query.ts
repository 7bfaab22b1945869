import { z } from 'zod';
import { civilDate, describeIssues, type Result } from '@trial/contracts';
import type { ReadoutQuery } from './analysis';

const number = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a non-negative number')
  .transform(Number);
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 instant');

/** The survival endpoint's query string: the stats CLI's flags, plus asOf and dataCutoff. */
const schema = z.object({
  at: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === '') return undefined;
      const parts = s.split(',').map((p) => p.trim());
      if (!parts.every((p) => /^\d+(\.\d+)?$/.test(p))) {
        ctx.addIssue({ code: 'custom', message: 'must be comma-separated non-negative numbers' });
        return z.NEVER;
      }
      return parts.map(Number);
    }),
  tau: number.optional(),
  confType: z.enum(['log', 'log-log', 'plain']).optional(),
  ties: z.enum(['efron', 'breslow']).optional(),
  asOf: instant.optional(),
  dataCutoff: civilDate.optional(),
});

export interface ParsedQuery {
  query: ReadoutQuery;
  asOf?: string;
  dataCutoff?: string;
}

export function parseReadoutQuery(raw: Record<string, unknown>): Result<ParsedQuery, { code: 'invalid-query'; reason: string }> {
  const flat = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string'));
  const p = schema.safeParse(flat);
  if (!p.success) return { ok: false, error: { code: 'invalid-query', reason: describeIssues(p.error) } };
  const { at, tau, confType, ties, asOf, dataCutoff } = p.data;
  const query: ReadoutQuery = {};
  if (at !== undefined) query.at = at;
  if (tau !== undefined) query.tau = tau;
  if (confType !== undefined) query.confType = confType;
  if (ties !== undefined) query.ties = ties;
  return { ok: true, value: { query, asOf: asOf === undefined ? undefined : new Date(asOf).toISOString(), dataCutoff } };
}
