// Scores `followup link` decisions against a generator's truth.csv (`line,patientId,expected,...`,
// expected one of match | match-review | nonmatch | malformed). Pure: the caller reads the file
// and feeds the decisions. Shared by bench.ts and the short-form test (uk2.spec.ts).
import type { LinkRow } from '../../apps/cli/src/commands/link';

export interface Truth {
  patientOf: string[];
  expectedOf: string[];
}

export function parseTruth(text: string): Truth {
  const patientOf: string[] = [];
  const expectedOf: string[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i];
    if (!t) continue;
    const [line, pid, exp] = t.split(',');
    patientOf[Number(line)] = pid;
    expectedOf[Number(line)] = exp;
  }
  return { patientOf, expectedOf };
}

/** The figures bench:linkage prints; `rows` counts decisions made, `truthRows` rows in the truth. */
export interface Figures {
  rows: number;
  truthRows: number;
  matches: number;
  linked: number;
  linkedRight: number;
  review: number;
  reviewOfMatches: number;
  malformed: number;
  malformedRejected: number;
  validRejected: number;
  precision: number;
  recall: number;
  recallWithReview: number;
  reviewRate: number;
}

export interface Tally {
  add(row: Pick<LinkRow, 'line' | 'decision' | 'patientId'>): void;
  figures(): Figures;
}

/**
 * Precision of automatic links: links to the right patient among all `linked`. Recall: right
 * links among rows whose truth is `match` (with review: right links plus reviews that name the
 * right patient). Review rate: review decisions over all rows. A `rejected` row is right only
 * when its truth is `malformed`.
 */
export function tally(truth: Truth): Tally {
  let rows = 0,
    linked = 0,
    linkedRight = 0,
    review = 0,
    reviewOfMatches = 0,
    malformedRejected = 0,
    validRejected = 0;
  let matches = 0,
    malformed = 0,
    truthRows = 0;
  for (const e of truth.expectedOf) {
    if (e === undefined) continue;
    truthRows++;
    if (e === 'match') matches++;
    if (e === 'malformed') malformed++;
  }
  return {
    add(row) {
      rows++;
      const exp = truth.expectedOf[row.line];
      const right = exp === 'match' && truth.patientOf[row.line] === row.patientId;
      switch (row.decision) {
        case 'rejected':
          if (exp === 'malformed') malformedRejected++;
          else validRejected++;
          break;
        case 'linked':
          linked++;
          if (right) linkedRight++;
          break;
        case 'review':
          review++;
          if (right) reviewOfMatches++;
          break;
        case 'unlinked':
          break;
        default: {
          const never: never = row.decision;
          throw new Error(`unknown decision ${String(never)}`);
        }
      }
    },
    figures() {
      return {
        rows,
        truthRows,
        matches,
        linked,
        linkedRight,
        review,
        reviewOfMatches,
        malformed,
        malformedRejected,
        validRejected,
        precision: linked ? linkedRight / linked : 1,
        recall: matches ? linkedRight / matches : 1,
        recallWithReview: matches ? (linkedRight + reviewOfMatches) / matches : 1,
        reviewRate: rows ? review / rows : 0,
      };
    },
  };
}
