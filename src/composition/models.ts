// The models: the credit model (checked against its card; a refused one is never served) with its
// PSI monitor, and the gang-case model, checked here for /ready and loaded again in the worker.
import { GANG_FEATURES } from '../graph/gang-features';
import { loadGangModel, type GangModelLoad } from '../graph/gang-model';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import type { ModelCard } from '../scoring/model-card';
import { cardOf, loadCreditModel, type CreditModel, type ModelLoad } from '../scoring/onnx-model';
import { PsiMonitor } from '../scoring/psi';
import type { Built, Root } from './built';

export interface Models {
  readonly creditLoad: ModelLoad;
  /** The served credit model; undefined when it is missing or refused. */
  readonly credit: CreditModel | undefined;
  readonly card: ModelCard | undefined;
  readonly psi: PsiMonitor | undefined;
  readonly gangLoad: GangModelLoad;
}

export async function buildModels({ settings, logger, metrics }: Root): Promise<Built<Models>> {
  const creditLoad = await loadCreditModel(settings.modelsDir, settings.modelCard, MODEL_INPUT_FIELDS);
  const credit = creditLoad.status === 'ready' ? creditLoad.model : undefined;
  const card = cardOf(creditLoad);
  metrics.modelInfo.set({ version: credit?.version ?? card?.modelId ?? 'none', status: creditLoad.status }, 1);
  (creditLoad.status === 'ready' ? logger.info.bind(logger) : logger.error.bind(logger))({ model: creditLoad.detail, status: creditLoad.status }, 'credit model');
  const psi = card ? new PsiMonitor(card.scoreDistribution.binEdges, card.scoreDistribution.proportions) : undefined;

  const gangLoad = await loadGangModel(settings.modelsDir, settings.gangModelCard, GANG_FEATURES);
  if (gangLoad.status === 'ready') await gangLoad.model.close();
  (gangLoad.status === 'mismatch' ? logger.error.bind(logger) : logger.info.bind(logger))({ gangModel: gangLoad.detail, status: gangLoad.status }, 'gang-case model');
  return { value: { creditLoad, credit, card, psi, gangLoad }, close: () => undefined };
}
