import { z } from 'zod';
import { civilDate } from '@trial/contracts';

/** The form fields of `POST /registry/extracts` beside the file (the CLI's options). */
export const uploadFields = z.object({
  source: z.enum(['ONS', 'NRS']),
  layout: z.enum(['ons', 'nrs']).optional(),
  completeUpTo: civilDate.optional(),
  extractedOn: civilDate.optional(),
});
export type UploadFields = z.infer<typeof uploadFields>;
