import { ensureFixtureModel } from '../../models/fixtures';
import { colours, mostlyColouredPng } from '../../models/vision/pngWriter';
import { ensureDemoChatFixture } from '../../models/vision/visionFixtures';
import type { RunFolder } from './RunFolder';

/** The user's own model files for `npm start`; each one left out is filled in by the demo. */
export interface DemoModelOptions {
	/** Completion model. Defaults to the generated `demo` fixture. */
	readonly model?: string;
	/** Chat model. Defaults to the demo's chat model when no model at all was given, else the completion model. */
	readonly chatModel?: string;
	/** Vision projector of the chat model. Defaults to the demo's when its chat model is used, else none. */
	readonly mmproj?: string;
}

/** What the demo workspace was set up with. */
export interface DemoWorkspace {
	readonly model: string;
	/** Empty: the completion model chats too. */
	readonly chatModel: string;
	/** Empty: no image understanding. */
	readonly mmproj: string;
	/** True when the demo's generated models are in use (nothing was given). */
	readonly generated: boolean;
}

/**
 * VS Code's own chat (the "Build with Agent" view, Explain/Fix in the editor menu) switched off, so
 * the demo shows one assistant.
 */
export const demoUserSettings: Readonly<Record<string, unknown>> = { 'chat.disableAIFeatures': true };

/** The walkthrough may open on first run (a machine-scoped setting: the Remote tab's in code-server). */
const demoMachineSettings: Readonly<Record<string, unknown>> = { 'workbench.welcomePage.walkthroughs.openOnInstall': true };

/**
 * Fills a run's workspace for `npm start` (and the demo e2e suite): `add.js` to type in, `red.png`
 * and `blue.png` to ask about, a README that says what to try and where the models come from, and
 * the model paths in the machine settings (the Remote tab's file in code-server).
 */
export async function prepareDemoWorkspace(folder: RunFolder, options: DemoModelOptions = {}, machine: Record<string, unknown> = {}): Promise<DemoWorkspace> {
	const demo = await resolveModels(options);
	await folder.writeWorkspaceFile('add.js', demo.generated ? generatedAddJs : ownAddJs);
	await folder.writeWorkspaceFile('red.png', mostlyColouredPng(colours.red));
	await folder.writeWorkspaceFile('blue.png', mostlyColouredPng(colours.blue));
	await folder.writeWorkspaceFile('README.md', readme(demo));
	await folder.writeSettings({ ...demoUserSettings }, { ...demoMachineSettings, 'bora.modelPath': demo.model, 'bora.chat.modelPath': demo.chatModel, 'bora.chat.mmprojPath': demo.mmproj, ...machine });
	return demo;
}

async function resolveModels({ model, chatModel, mmproj }: DemoModelOptions): Promise<DemoWorkspace> {
	if (model === undefined && chatModel === undefined) {
		const [demoModel, demoChat] = await Promise.all([ensureFixtureModel('demo'), ensureDemoChatFixture()]);
		return { model: demoModel, chatModel: demoChat.modelPath, mmproj: mmproj ?? demoChat.mmprojPath, generated: mmproj === undefined };
	}
	return { model: model ?? await ensureFixtureModel('demo'), chatModel: chatModel ?? '', mmproj: mmproj ?? '', generated: false };
}

const generatedAddJs = `// Bora demo. The models here are tiny ones Bora generates for its tests: they know
// one function body, one chat answer, and the colours red and blue. Pick a real model
// under Models (the Bora icon in the Activity Bar) for real suggestions.
//
// Type the line below on the empty last line, wait for the ghost text, press Tab:
// function add(a, b) {

`;

const ownAddJs = `// Bora demo with your own model: type some code below and pause for the ghost text.

`;

function readme({ model, chatModel, mmproj, generated }: DemoWorkspace): string {
	const models = [
		`- Completion: \`${model}\``,
		`- Chat: ${chatModel ? `\`${chatModel}\`` : 'the completion model'}`,
		`- Vision projector: ${mmproj ? `\`${mmproj}\`` : 'none (Explain Screenshot will say so)'}`,
	].join('\n');
	const origin = generated
		? 'These are **tiny models Bora generates for its tests**, not real ones: they know one function body, one chat answer (which says so), and red from blue. Everything else they answer is empty.'
		: 'These are the model files you gave to `npm start`.';
	return `# Bora demo

${origin}

${models}

## What to try

1. **Completion**: in \`add.js\`, type \`function add(a, b) {\` and pause: the body appears as ghost text. **Tab** accepts it.
2. **Chat**: **Bora: Open Chat** (Ctrl+Shift+Alt+B) and ask anything. With **Effort: High** the model thinks first (the block above the answer, with its token budget); with **Off** it does not.
3. **Explain Selection**: select code in \`add.js\`, right-click, **Bora: Explain Selection**.
4. **Screenshots**: right-click \`red.png\` or \`blue.png\` in the Explorer, **Explain Screenshot…**, Enter.
5. **Get Started with Bora** (the walkthrough): **Bora: Get Started** in the Command Palette.
`;
}
