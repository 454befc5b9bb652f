import { canonicalFim, canonicalFimAlternative, chatAnswer, ensureFixtureModels, fixtureDisplayNames } from '../../models/fixtures';
import { colours, mostlyColouredPng } from '../../models/vision/pngWriter';
import { ensureVisionFixture, visionAnswers } from '../../models/vision/visionFixtures';
import { fixturesFileName } from '../shared';
import type { RunFolder } from './RunFolder';

export interface FixtureWorkspaceOptions {
	/**
	 * Also build the vision fixture (pixtral mmproj + image-conditioned mistral4), write red, blue and
	 * white PNGs under `images/` in the workspace and list them in `.bora-e2e.json` under `vision`.
	 * Defaults to `false`.
	 */
	readonly vision?: boolean;
}

/** What `.bora-e2e.json` holds under `vision` when the workspace was prepared with `vision: true`. */
export interface VisionWorkspaceFixtures {
	readonly modelPath: string;
	readonly mmprojPath: string;
	/** Absolute paths of the PNGs in the workspace. */
	readonly images: { readonly red: string; readonly blue: string; readonly white: string };
	readonly answers: typeof visionAnswers;
}

/**
 * Fills a run's workspace and user settings: Bora points at the mistral4 fixture with 2 threads,
 * and `.bora-e2e.json` tells the extension-host suites where every fixture model is.
 * `machine` settings are added to (and override) those defaults.
 */
export async function prepareFixtureWorkspace(
	folder: RunFolder, settings: Record<string, unknown> = {}, { vision = false }: FixtureWorkspaceOptions = {}, machine: Record<string, unknown> = {},
): Promise<VisionWorkspaceFixtures | undefined> {
	const models = await ensureFixtureModels();
	const visionFixtures = vision ? await prepareVision(folder) : undefined;
	await folder.writeWorkspaceFile(fixturesFileName, JSON.stringify({ models, names: fixtureDisplayNames, canonicalFim, canonicalFimAlternative, chatAnswer, ...(visionFixtures ? { vision: visionFixtures } : {}) }, null, '\t'));
	await folder.writeWorkspaceFile('add.js', '');
	// Keep-alive 0: the shared runtime (detached, outside code-server's process group) exits with the last window of the run.
	await folder.writeSettings(settings, { 'bora.modelPath': models.mistral4Fim, 'bora.threads': 2, 'bora.gpu': 'off', 'bora.runtime.keepAliveMinutes': 0, ...machine });
	return visionFixtures;
}

async function prepareVision(folder: RunFolder): Promise<VisionWorkspaceFixtures> {
	const { modelPath, mmprojPath } = await ensureVisionFixture();
	const write = (name: keyof typeof colours) => folder.writeWorkspaceFile(`images/${name}.png`, mostlyColouredPng(colours[name]));
	const [red, blue, white] = await Promise.all([write('red'), write('blue'), write('white')]);
	return { modelPath, mmprojPath, images: { red, blue, white }, answers: visionAnswers };
}
