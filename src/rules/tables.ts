// Analyst-editable tables that are not flows (scoring grades, pricing, authority matrix,
// regional limits, cluster thresholds): each one file under rules/, validated by its JSON
// Schema at every load and swapped with the rest of the rule set. Domains read their table
// from RuleSet.tables by path; the schema guarantees its shape.
import type { Diagnostic } from './diagnostics';
import type { SourceFile } from './diagnostics';

export interface TableSpec {
  /** Path inside the rules folder, e.g. "scoring/grades.json". */
  readonly relPath: string;
  readonly schema: object;
  /** Checks a schema cannot express; report positioned problems through `source`. */
  readonly check?: (value: any, source: SourceFile, report: (d: Diagnostic) => void) => void;
}

/** Every table the service knows. A domain adds its table here. */
export const TABLES: readonly TableSpec[] = [];
