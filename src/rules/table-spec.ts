// What an analyst-editable table is (a file under rules/, its JSON Schema, the checks a schema
// cannot express). Each domain declares its own tables with this (scoring/tables.ts,
// approval/table.ts, limits/table.ts, graph/clusters-table.ts); rules/tables.ts lists them.
import type { Diagnostic, JsonPath, SourceFile } from './diagnostics';
import type { ReasonSpec } from './ruleset';

export interface TableCheckContext {
  readonly source: SourceFile;
  readonly reasons: ReadonlyMap<string, ReasonSpec>;
  /** Another table's schema-valid value (undefined if it is missing or invalid). */
  readonly table: (relPath: string) => any;
  readonly report: (code: Diagnostic['code'], path: JsonPath, message: string) => void;
}

export interface TableSpec {
  /** Path inside the rules folder, e.g. "scoring/grades.json". */
  readonly relPath: string;
  readonly schema: object;
  /** Checks a schema cannot express (order, cross-references), reported with positions. */
  readonly check?: (value: any, context: TableCheckContext) => void;
}


/** Reports each code of `codes` that rules/reasons.json does not declare. */
export function checkReasonCodes(codes: Record<string, string>, at: JsonPath, ctx: TableCheckContext) {
  for (const [key, code] of Object.entries(codes)) {
    if (!ctx.reasons.has(code)) ctx.report('UNKNOWN_REASON', [...at, key], `unknown reason code "${code}" (declare it in rules/reasons.json)`);
  }
}

