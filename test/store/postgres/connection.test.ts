// Which database errors mean "not now" (the decision answers 503 with Retry-After) and which mean
// a bug or a conflict (passed on as they are).
import { describe, expect, it } from 'vitest';
import { SharedDatabaseUnavailableError, unavailableOr, withDefaultUser } from '../../../src/store/postgres/connection';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('unavailableOr', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['a reset connection', withCode('ECONNRESET')],
    ['an administrator shutdown', withCode('57P01')],
    ['a server starting up', withCode('57P03')],
    ['a statement timeout', withCode('57014')],
    ['a connection exception class', withCode('08006')],
    ['too many connections', withCode('53300')],
    ['a serialization failure', withCode('40001')],
    ['a lost connection (pg says so by message)', new Error('Connection terminated unexpectedly')],
    ['no pooled connection in time', new Error('timeout exceeded when trying to connect')],
  ])('%s is "not now"', (_name, err) => {
    const mapped = unavailableOr(err);
    expect(mapped).toBeInstanceOf(SharedDatabaseUnavailableError);
    expect((mapped as SharedDatabaseUnavailableError).cause).toBe(err);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error', withCode('42601')],
    ['an error of ours', new Error('decision commit: the plan is for A, not B')],
  ])('%s is passed on as it is', (_name, err) => {
    expect(unavailableOr(err)).toBe(err);
  });
});

describe('withDefaultUser', () => {
  it('fills in a user where the URL names none, and keeps one it names', () => {
    expect(new URL(withDefaultUser('postgresql://127.0.0.1:5432/test')).username).not.toBe('');
    expect(withDefaultUser('postgresql://alice@db:5432/x')).toBe('postgresql://alice@db:5432/x');
  });
});
