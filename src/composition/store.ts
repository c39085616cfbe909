// The audit store and what lives beside it in memory: the exposure book (mirror of the ledger's
// live reservations) and the identifier velocity index (the last 24 h of the store).
import path from 'node:path';
import { loadExposureBook } from '../decision/reservations';
import { VELOCITY_WINDOW_MS, VelocityIndex } from '../velocity/velocity-index';
import type { IdentifierType } from '../identity/identifiers';
import type { ExposureBook } from '../limits/exposure-book';
import { AuditStore } from '../store/audit-store';
import { GraphStore } from '../store/graph-store';
import type { Built, Root } from './built';

export interface Stores {
  readonly store: AuditStore;
  readonly graphStore: GraphStore;
  readonly exposure: ExposureBook;
  readonly velocity: VelocityIndex;
}

export async function buildStores({ settings, logger, clock }: Root): Promise<Built<Stores>> {
  const store = new AuditStore(path.join(settings.dataDir, 'audit.db'), { decisionWriter: 'worker' });
  store.onFault = (fault) => logger.error({ code: fault.code }, 'the audit store cannot write; decisions are refused (503) until a write succeeds');
  store.onWriterLost = (failure) => logger.error({ code: failure.code }, 'the decision writer thread stopped; the decisions it held were not acknowledged; a new thread takes over');
  try {
    await store.ready();
  } catch (err) {
    await store.close();
    throw err;
  }
  // While writes fail, a small write is tried every second; the first that succeeds makes the service ready again.
  const storeProbe = setInterval(() => {
    if (store.storageFault && store.probe()) logger.info('the audit store writes again; ready');
  }, 1000).unref();
  const exposure = loadExposureBook(store);
  const velocity = new VelocityIndex();
  for (const s of store.identifiersSince(clock() - VELOCITY_WINDOW_MS)) velocity.record({ type: s.type as IdentifierType, hash: s.hash, at: s.at });
  const pruneTimer = setInterval(() => velocity.prune(clock()), 10 * 60 * 1000).unref();
  return {
    value: { store, graphStore: new GraphStore(store.database), exposure, velocity },
    close: async () => {
      clearInterval(storeProbe);
      clearInterval(pruneTimer);
      await store.close();
    },
  };
}
