// The staged approval authority matrix, read from the shipped rules/approval/authority.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { approvalLevelFor, requiredAuthority, type AuthorityMatrix } from '../../src/approval/authority';
import { REPO_RULES } from '../support/server';

const matrix = JSON.parse(readFileSync(path.join(REPO_RULES, 'approval/authority.json'), 'utf8')) as AuthorityMatrix;

describe('requiredAuthority (shipped matrix)', () => {
  it.each([
    // amount, grade, reasons, level
    [2_500, 'A', [], 'auto'],
    [5_000, 'C', [], 'auto'],
    [5_000.01, 'C', [], 'L1'],
    [4_000, 'D', [], 'L1'],
    [8_000, 'D', [], 'L2'],
    [12_000, 'C', [], 'L2'],
    [12_000, 'B', [], 'L1'],
    [18_000, 'A', [], 'L1'],
    [18_000, 'B', [], 'L2'],
    [18_000, 'C', [], 'L3'],
    [1_000, 'E', [], 'L2'],
    [1_000, undefined, [], 'L2'],
    [1_000, 'A', ['VELOCITY_PHONE'], 'L2'],
    [1_000, 'A', ['MODEL_UNAVAILABLE'], 'L2'],
    [1_000, 'A', ['REGION_LIMIT_EXCEEDED'], 'L3'],
    [1_000, 'A', ['FRAUD_RING_SUSPECTED'], 'L2'],
    [1_000, 'A', ['FRAUD_RING_SUSPECTED', 'LINKED_TO_CONFIRMED_FRAUD'], 'L3'],
    [18_000, 'C', ['VELOCITY_PHONE'], 'L3'],
  ] as const)('%s at grade %s with %j → %s', (amount, grade, reasons, level) => {
    expect(requiredAuthority({ amount, grade, reasons }, matrix).level).toBe(level);
  });

  it('records which reasons escalated and the level before them', () => {
    expect(requiredAuthority({ amount: 1_000, grade: 'A', reasons: ['FRAUD_CHECK_UNAVAILABLE'] }, matrix)).toEqual({ level: 'L2', matrixLevel: 'auto', band: 0, escalatedBy: ['FRAUD_CHECK_UNAVAILABLE'] });
  });

  it('never lets a grade the band does not list go through automatically', () => {
    expect(requiredAuthority({ amount: 1_000, grade: 'Z', reasons: [] }, matrix).level).not.toBe('auto');
  });
});

describe('approvalLevelFor', () => {
  it('automatic approvals and declines need nobody; a review needs at least L1', () => {
    expect(approvalLevelFor('approve', 'L3')).toBe('auto');
    expect(approvalLevelFor('decline', 'L3')).toBe('auto');
    expect(approvalLevelFor('review', 'auto')).toBe('L1');
    expect(approvalLevelFor('review', 'L3')).toBe('L3');
  });
});
