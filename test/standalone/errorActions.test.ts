import assert from 'node:assert/strict';
import { commandOf, errorActions, errorOfState, isErrorAction, openSettingsCommand, settingsNamedIn } from '../../src/extension/errorActions';
import { silentLogger } from '../../src/runtime/Logger';
import { RuntimeStatus } from '../../src/runtime/state/RuntimeStatus';
import type { RuntimeErrorInfo } from '../../src/shared/types';

const labels = (info: RuntimeErrorInfo) => errorActions({ code: info.code, text: `${info.message} ${info.action}` }).map(button => button.label);

describe('errorActions: an error → the buttons that do what it says', () => {
	it("the runtime's own \"no model\" state offers Select Model… and Open Settings at bora.modelPath", () => {
		const state = new RuntimeStatus(silentLogger).current;
		assert.equal(state.kind, 'idle');
		const error = errorOfState({ kind: 'runtime', runtime: state });
		assert.ok(error);
		assert.deepEqual(errorActions(error), [
			{ label: 'Select Model…', action: { kind: 'selectModel' } },
			{ label: 'Open Settings', action: { kind: 'openSettings', settingId: 'bora.modelPath' } },
		]);
	});

	it('a model file that cannot be used offers Select Model… by its code, even when the words name no setting', () => {
		for (const code of ['modelNotFound', 'invalidModel', 'truncatedModel', 'unsupportedModel'] as const) {
			assert.deepEqual(labels({ code, message: 'Model file not found: /m/x.gguf', action: 'Pick another.' }), ['Select Model…'], code);
		}
	});

	it('a missing or wrong projector offers Pick Projector… and Open Settings at bora.chat.mmprojPath', () => {
		const buttons = errorActions({ code: 'visionUnavailable', text: 'Vision is unavailable: the chat model has no vision projector configured. Set bora.chat.mmprojPath to the mmproj GGUF made for the chat model.' });
		assert.deepEqual(buttons, [
			{ label: 'Pick Projector…', action: { kind: 'pickPath', setting: 'mmprojPath' } },
			{ label: 'Open Settings', action: { kind: 'openSettings', settingId: 'bora.chat.mmprojPath' } },
		]);
	});

	it('two model settings named: a picker for each, then the settings at the first one', () => {
		assert.deepEqual(labels({ code: 'visionUnavailable', message: 'no chat model is configured', action: 'Set bora.chat.modelPath or bora.modelPath.' }), ['Pick Chat Model…', 'Select Model…', 'Open Settings']);
		const open = errorActions({ text: 'Set bora.chat.modelPath or bora.modelPath.' }).find(button => button.action.kind === 'openSettings');
		assert.deepEqual(open?.action, { kind: 'openSettings', settingId: 'bora.chat.modelPath' });
	});

	it('a setting that is not a file gets Open Settings at it (bora.gpu, bora.completion.mode)', () => {
		assert.deepEqual(labels({ code: 'noGpu', message: 'No GPU backend (CUDA, Metal or Vulkan) works on this machine, and bora.gpu is "on"', action: 'Set bora.gpu to "auto" to fall back to the CPU, or install the GPU driver.' }), ['Open Settings']);
		const mode = errorActions({ code: 'noFimSupport', text: 'x has no fill-in-the-middle tokens, and bora.completion.mode is set to fim. Set bora.completion.mode to auto or chat.' });
		assert.deepEqual(mode, [{ label: 'Open Settings', action: { kind: 'openSettings', settingId: 'bora.completion.mode' } }]);
	});

	it('a stopped runtime offers Restart Runtime and Show Log', () => {
		const error = errorOfState({ kind: 'stopped', message: "Bora's runtime stopped 3 times in 3 minutes and will not be restarted automatically." });
		assert.ok(error);
		assert.deepEqual(errorActions(error).map(button => button.label), ['Restart Runtime', 'Show Log']);
	});

	it('no buttons for an error that names nothing to do, and none for a ready, starting or loading state', () => {
		assert.deepEqual(errorActions({ code: 'internal', text: 'Something broke. Ask again.' }), []);
		assert.equal(errorOfState({ kind: 'starting' }), undefined);
		assert.equal(errorOfState({ kind: 'runtime', runtime: { kind: 'loading', modelPath: '/m/x.gguf', progress: 0.5 } }), undefined);
	});

	it('at most three buttons, each once', () => {
		const buttons = errorActions({ code: 'noModel', text: 'Set bora.chat.modelPath, bora.chat.mmprojPath, bora.completion.draftModelPath or bora.modelPath. Select GGUF Model. Restart Runtime.' });
		assert.equal(buttons.length, 3);
		assert.equal(new Set(buttons.map(button => button.label)).size, 3);
	});

	it('reads setting ids whole: bora.chat.modelPath is not bora.modelPath, and a trailing period or backtick ends an id', () => {
		assert.deepEqual(settingsNamedIn('Set `bora.chat.modelPath` to a chat model.'), ['bora.chat.modelPath']);
		assert.deepEqual(settingsNamedIn('fix bora.modelPath. Or bora.completion.mode.'), ['bora.modelPath', 'bora.completion.mode']);
		assert.deepEqual(settingsNamedIn('bora.modelPathology and xbora.gpu are not settings'), []);
	});
});

describe('errorActions: what a button runs', () => {
	it('Open Settings opens the Remote tab for a machine setting in a remote window, the User tab otherwise', () => {
		assert.deepEqual(openSettingsCommand('bora.modelPath', 'code-server'), { command: 'workbench.action.openRemoteSettings', args: [{ query: 'bora.modelPath' }] });
		assert.deepEqual(openSettingsCommand('bora.threads', 'ssh-remote'), { command: 'workbench.action.openRemoteSettings', args: [{ query: 'bora.threads' }] });
		assert.deepEqual(openSettingsCommand('bora.modelPath', undefined), { command: 'workbench.action.openSettings', args: [{ query: 'bora.modelPath' }] });
		// A window setting is in the User tab even in a remote window.
		assert.deepEqual(openSettingsCommand('bora.completion.mode', 'code-server'), { command: 'workbench.action.openSettings', args: [{ query: 'bora.completion.mode' }] });
	});

	it('Select Model…, Restart Runtime and Show Log run their commands; a picker is carried out by the extension', () => {
		assert.deepEqual(commandOf({ kind: 'selectModel' }, undefined), { command: 'bora.selectModel', args: [] });
		assert.deepEqual(commandOf({ kind: 'restartRuntime' }, undefined), { command: 'bora.restartRuntime', args: [] });
		assert.deepEqual(commandOf({ kind: 'showLog' }, undefined), { command: 'bora.showLog', args: [] });
		assert.equal(commandOf({ kind: 'pickPath', setting: 'mmprojPath' }, undefined), undefined);
	});

	it("refuses what the chat panel might send that is not one of the actions", () => {
		assert.ok(isErrorAction({ kind: 'openSettings', settingId: 'bora.chat.mmprojPath' }));
		assert.ok(isErrorAction({ kind: 'pickPath', setting: 'mmprojPath' }));
		assert.ok(!isErrorAction({ kind: 'openSettings', settingId: 'editor.fontSize' }));
		assert.ok(!isErrorAction({ kind: 'pickPath', setting: 'modelPath' }));
		assert.ok(!isErrorAction({ kind: 'command', command: 'workbench.action.terminal.new' }));
		assert.ok(!isErrorAction('selectModel'));
		assert.ok(!isErrorAction(null));
	});
});
