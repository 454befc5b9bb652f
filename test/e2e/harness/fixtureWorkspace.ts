import { canonicalFim, chatAnswer, ensureFixtureModels, fixtureDisplayNames } from '../../models/fixtures';
import { fixturesFileName } from '../shared';
import type { RunFolder } from './RunFolder';

/**
 * Fills a run's workspace and user settings: Bora points at the mistral4 fixture with 2 threads,
 * and `.bora-e2e.json` tells the extension-host suites where every fixture model is.
 */
export async function prepareFixtureWorkspace(folder: RunFolder, settings: Record<string, unknown> = {}): Promise<void> {
	const models = await ensureFixtureModels();
	await folder.writeWorkspaceFile(fixturesFileName, JSON.stringify({ models, names: fixtureDisplayNames, canonicalFim, chatAnswer }, null, '\t'));
	await folder.writeWorkspaceFile('add.js', '');
	await folder.writeSettings(settings, { 'bora.modelPath': models.mistral4Fim, 'bora.threads': 2, 'bora.gpu': 'off' });
}
