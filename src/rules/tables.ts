// Every analyst-editable table that is not a flow, each declared by its domain (file, schema,
// semantic check): validated at every load and swapped with the rest of the rule set. Domains
// read their table from RuleSet.tables by the path constant they export.
import { AUTHORITY_TABLE_SPEC } from '../approval/table';
import { CLUSTERS_TABLE_SPEC } from '../graph/clusters-table';
import { REGIONS_TABLE_SPEC } from '../limits/table';
import { SCORING_TABLES } from '../scoring/tables';
import type { TableSpec } from './table-spec';

export const TABLES: readonly TableSpec[] = [...SCORING_TABLES, AUTHORITY_TABLE_SPEC, REGIONS_TABLE_SPEC, CLUSTERS_TABLE_SPEC];
