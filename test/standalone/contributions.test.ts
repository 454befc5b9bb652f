import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatCommandIds, CommandIds } from '../../src/extension/commandIds';
import { walkthroughId, WalkthroughContextKeys } from '../../src/extension/walkthroughIds';
import { repoRoot } from '../support/paths';

interface MenuItem { readonly command: string; readonly when?: string }
interface WalkthroughStep { readonly id: string; readonly description: string; readonly media: { readonly markdown?: string }; readonly completionEvents?: readonly string[] }
interface Manifest {
	readonly publisher: string;
	readonly name: string;
	readonly contributes: {
		readonly commands: readonly { readonly command: string; readonly title: string }[];
		readonly menus: Record<string, readonly MenuItem[]>;
		readonly keybindings: readonly { readonly command: string; readonly key: string; readonly mac?: string }[];
		readonly viewsContainers: Record<string, readonly { readonly id: string }[]>;
		readonly views: Record<string, readonly { readonly id: string }[]>;
		readonly walkthroughs: readonly { readonly id: string; readonly steps: readonly WalkthroughStep[] }[];
	};
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const { contributes } = manifest;
const commands = new Set(contributes.commands.map(command => command.command));

describe('package.json contributions: menus, keybindings and the walkthrough point at what exists', () => {
	it('every command id the extension registers is contributed', () => {
		for (const id of [...Object.values(CommandIds), ...Object.values(ChatCommandIds)]) {
			assert.ok(commands.has(id), `${id} is not in contributes.commands`);
		}
	});

	it('every menu item and keybinding runs a contributed command', () => {
		for (const [menu, items] of Object.entries(contributes.menus)) {
			for (const item of items) {
				assert.ok(commands.has(item.command), `${menu}: ${item.command}`);
			}
		}
		for (const binding of contributes.keybindings) {
			assert.ok(commands.has(binding.command), binding.command);
		}
	});

	it('Open Chat has a keybinding that is not VS Code\'s Toggle Secondary Side Bar (Ctrl+Alt+B)', () => {
		const binding = contributes.keybindings.find(item => item.command === ChatCommandIds.openChat);
		assert.ok(binding);
		assert.notEqual(binding.key, 'ctrl+alt+b');
		assert.notEqual(binding.mac, 'cmd+alt+b');
	});

	it('the editor menu offers Explain and Ask About Selection only with a selection, and image editors Explain Screenshot', () => {
		const editorMenu = contributes.menus['editor/context'] ?? [];
		for (const id of [ChatCommandIds.explainSelection, ChatCommandIds.askAboutSelection]) {
			assert.equal(editorMenu.find(item => item.command === id)?.when, 'editorHasSelection');
			assert.match(contributes.commands.find(command => command.command === id)?.title ?? '', /^Bora: /, 'the menu shows the title alone');
		}
		for (const menu of ['explorer/context', 'editor/title', 'editor/title/context']) {
			assert.match((contributes.menus[menu] ?? []).find(item => item.command === ChatCommandIds.explainScreenshot)?.when ?? '', /resourceExtname =~ .*png/, menu);
		}
	});

	it('the chat has a view container of its own in the Secondary Side Bar, and Models one in the Activity Bar', () => {
		const [chatContainer] = contributes.viewsContainers['secondarySidebar'] ?? [];
		const [modelsContainer] = contributes.viewsContainers['activitybar'] ?? [];
		assert.ok(chatContainer && modelsContainer);
		assert.deepEqual(contributes.views[chatContainer.id]?.map(view => view.id), ['bora.chat']);
		assert.deepEqual(contributes.views[modelsContainer.id]?.map(view => view.id), ['bora.models']);
	});

	it('the walkthrough is the one the extension opens, its media exist, and its links and events name real commands, views and context keys', () => {
		const [walkthrough] = contributes.walkthroughs;
		assert.ok(walkthrough);
		assert.equal(`${manifest.publisher}.${manifest.name}#${walkthrough.id}`, walkthroughId);
		const views = new Set(Object.values(contributes.views).flat().map(view => view.id));
		const contextKeys = new Set<string>(Object.values(WalkthroughContextKeys));
		assert.deepEqual(walkthrough.steps.map(step => step.id), ['pickModel', 'tryCompletion', 'openChat', 'askAboutScreenshot']);
		for (const step of walkthrough.steps) {
			assert.ok(step.media.markdown && existsSync(join(repoRoot, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
			for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
				assert.ok(commands.has(command!), `${step.id} links to ${command}`);
			}
			assert.ok(step.completionEvents?.length, `${step.id} can be completed`);
			for (const event of step.completionEvents ?? []) {
				const [kind, value] = event.split(/:(.*)/s, 2) as [string, string];
				const known = kind === 'onCommand' ? commands.has(value) : kind === 'onView' ? views.has(value) : kind === 'onContext' ? contextKeys.has(value) : false;
				assert.ok(known, `${step.id}: ${event}`);
			}
		}
	});
});
