// What every builder of the composition root returns: the part, and how to close it. The root
// closes parts in the reverse order it built them, also when a later part fails to build.
import type { Logger } from 'pino';
import type { Settings } from '../config/settings';
import type { StageProviders } from '../decision/flow';
import type { ReclusterRunner } from '../graph/recluster-runner';
import type { Metrics } from '../observability/metrics';

export interface Built<T> {
  readonly value: T;
  close(): void | Promise<void>;
}

/** What every builder receives. */
export interface Root {
  readonly settings: Settings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => number;
  readonly overrides: ServiceOverrides;
}

export interface ServiceOverrides {
  /** Replace or add stage fact providers (tests use this to make a stage hang or fail). */
  readonly providers?: StageProviders;
  readonly clock?: () => number;
  /** Where the fraud graph reclusters (tests hold a recluster open); default: the worker. */
  readonly reclusterRunner?: ReclusterRunner;
}

export class StartupError extends Error {}

export class Assembly {
  private readonly closers: (() => void | Promise<void>)[] = [];

  /** Keeps the part's close for later and hands back the part. */
  async add<T>(building: Built<T> | Promise<Built<T>>): Promise<T> {
    const built = await building;
    this.closers.push(() => built.close());
    return built.value;
  }

  /** Closes every part, newest first; a part that fails to close does not keep the others open. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  }
}
