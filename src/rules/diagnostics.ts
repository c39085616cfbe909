// Positioned diagnostics for rule files: `file:line:col json.path: message`, after GoRules
// ZEN's closed set of diagnostic codes with a source span. Positions come from jsonc-parser's
// syntax tree, so an analyst's editor can jump straight to the offending value.
import type { ErrorObject } from 'ajv';
import { expectedBy } from '../validation/schema-errors';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

export type DiagnosticCode =
  | 'INVALID_JSON'
  | 'SCHEMA'
  | 'UNKNOWN_FILE'
  | 'UNKNOWN_STAGE'
  | 'DUPLICATE_STAGE'
  | 'DUPLICATE_RULE'
  | 'UNKNOWN_FACT'
  | 'UNKNOWN_FACT_PATH'
  | 'FACT_NOT_YET_AVAILABLE'
  | 'UNKNOWN_OPERATOR'
  | 'UNKNOWN_REASON'
  | 'UNKNOWN_LIST'
  | 'LIST_TYPE_MISMATCH'
  /** A condition's value (or value reference) can never match its fact's declared type, set or range. */
  | 'TYPE_MISMATCH'
  /** A condition's operator does not apply to its fact's declared type (lessThan on a string). */
  | 'OPERATOR_MISMATCH'
  | 'PRODUCT_MISMATCH'
  /** A decision table's cell that cannot be read, a cell outside its inputs, a row a "first" table never reaches. */
  | 'DECISION_TABLE'
  | 'MISSING_FILE';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** JSON path in the file, e.g. stages[1].rules[2].conditions.all[0]; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.path || '(root)'}: ${d.message}`;
}

export type JsonPath = readonly (string | number)[];

/** stages[1].rules[2].conditions.all[0] */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment) ? (out ? `.${segment}` : segment) : `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A rule file's text with its syntax tree, able to place a JSON path on a line and column. */
export class SourceFile {
  private readonly lineStarts: number[] = [0];

  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly tree: Node | undefined,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** Parses strict JSON (no comments, no trailing commas); syntax errors come back as diagnostics. */
  static parse(file: string, text: string): { source: SourceFile; value: unknown } | { diagnostics: Diagnostic[] } {
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const source = new SourceFile(file, text, tree);
    if (errors.length > 0 || !tree) {
      if (errors.length === 0) return { diagnostics: [source.diagnosticAtOffset('INVALID_JSON', 0, '', 'invalid JSON: empty file')] };
      return {
        diagnostics: errors.map((e) => source.diagnosticAtOffset('INVALID_JSON', e.offset, '', `invalid JSON: ${printParseErrorCode(e.error)}`)),
      };
    }
    return { source, value: getNodeValue(tree) };
  }

  private position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.lineStarts[lo] ?? 0) + 1 };
  }

  private diagnosticAtOffset(code: DiagnosticCode, offset: number, path: string, message: string): Diagnostic {
    return { code, file: this.file, ...this.position(offset), path, message };
  }

  /**
   * A diagnostic placed at the value the path names; with `atKey`, at the property's key
   * instead (for "unknown property" and duplicate names). Falls back to the nearest ancestor.
   */
  diagnostic(code: DiagnosticCode, path: JsonPath, message: string, atKey = false): Diagnostic {
    let offset = 0;
    for (let n = path.length; n >= 0 && this.tree; n--) {
      const node = findNodeAtLocation(this.tree, [...path.slice(0, n)]);
      if (!node) continue;
      offset = atKey && n === path.length && node.parent?.type === 'property' ? node.parent.offset : node.offset;
      break;
    }
    return this.diagnosticAtOffset(code, offset, formatJsonPath(path), message);
  }

  /** The offset-free position of a key inside an object (for additionalProperties errors). */
  keyDiagnostic(code: DiagnosticCode, objectPath: JsonPath, key: string, message: string): Diagnostic {
    const node = this.tree ? findNodeAtLocation(this.tree, [...objectPath]) : undefined;
    const property = node?.children?.find((p) => p.children?.[0]?.value === key);
    const offset = property?.offset ?? node?.offset ?? 0;
    return this.diagnosticAtOffset(code, offset, formatJsonPath([...objectPath, key]), message);
  }
}

function schemaMessage(e: ErrorObject): string {
  return e.keyword === 'required' ? `missing "${String(e.params.missingProperty)}"` : expectedBy(e);
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Schema errors placed at the values they name, one per position and message. */
export function schemaDiagnostics(source: SourceFile, errors: readonly ErrorObject[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of errors) {
    // if/then/else adds a summary error on top of the branch's own; the branch's is the useful one.
    if (e.keyword === 'if') continue;
    const path = pointerToPath(e.instancePath);
    const d =
      e.keyword === 'additionalProperties'
        ? source.keyDiagnostic('SCHEMA', path, String(e.params.additionalProperty), `unknown property "${String(e.params.additionalProperty)}"`)
        : source.diagnostic('SCHEMA', path, schemaMessage(e));
    const key = `${d.line}:${d.column}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}
