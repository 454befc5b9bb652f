import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { CompletionService, Runtime, type CompletionDocument, type Logger } from '../../src/runtime';
import type { CompletionStatsInfo } from '../../src/shared/protocol';
import { defaultRuntimeSettings, type RuntimeSettings } from '../../src/shared/types';
import { canonicalFim, ensureFixtureModel } from '../models/fixtures';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** Waits for something the runtime does on its own clock; the suite's timeout bounds the wait. */
async function until(condition: () => boolean): Promise<void> {
	while (!condition()) {
		await delay(10);
	}
}

/** The log lines, so a test can wait for the runtime to say it evaluated a prompt ahead. */
class LogLines implements Logger {
	readonly lines: string[] = [];
	info(message: string): void { this.lines.push(message); }
	warn(message: string): void { this.lines.push(message); }
	error(message: string): void { this.lines.push(message); }
}

async function settingsFor(): Promise<RuntimeSettings> {
	return { ...defaultRuntimeSettings, modelPath: await ensureFixtureModel('qwenFim'), completionEnabled: true, threads: 2, gpu: 'off' };
}

/** A document with the canonical case in it, the cursor where the model answers it. */
function documentOf(uri: string): { document: CompletionDocument; offset: number; cursor: { line: number; character: number } } {
	const text = `// a file the user just opened\n${canonicalFim.prefix}${canonicalFim.suffix}\n`;
	const offset = text.indexOf(canonicalFim.prefix) + canonicalFim.prefix.length;
	return { document: TextDocument.create(uri, 'javascript', 1, text), offset, cursor: { line: 1, character: canonicalFim.prefix.length } };
}

describe('warm start: the first request pays for no context creation (qwenFim, real model)', function () {
	this.timeout(120_000);

	it('the context is created right after the load, as background work, and the first request uses it', async () => {
		const runtime = new Runtime({ forecastDelayMs: false });
		try {
			await runtime.configure(await settingsFor());
			assert.equal(runtime.state.kind, 'ready');
			// The request arrives at once: it waits for the context being created rather than making a second.
			const result = await runtime.complete({ ...canonicalFim });
			assert.equal(result.text, canonicalFim.middle);
			assert.equal(result.stats.contextCreateMs, undefined, JSON.stringify(result.stats));
			assert.deepEqual(runtime.completionContext.creations.map(creation => creation.lane), ['background']);
		} finally {
			await runtime.dispose();
		}
	});

	it('with completion off, the load creates no context', async () => {
		const runtime = new Runtime({ forecastDelayMs: false });
		try {
			await runtime.configure({ ...await settingsFor(), completionEnabled: false });
			assert.equal(runtime.state.kind, 'ready');
			assert.deepEqual(runtime.completionContext, { held: false, creations: [] });
		} finally {
			await runtime.dispose();
		}
	});

	it('focusing a document evaluates its prompt ahead, and after the idle release focusing it again recreates the context off the request path', async () => {
		const log = new LogLines();
		const runtime = new Runtime({ forecastDelayMs: false, completionIdleReleaseMs: 200, logger: log });
		const uri = 'file:///workspace/opened.js';
		const { document, offset, cursor } = documentOf(uri);
		let current = document;
		const service = new CompletionService({ backend: runtime, documents: { get: asked => asked === uri ? current : undefined }, logger: log, scheduler: runtime.scheduler, extraContext: { idleMs: 0 } });
		try {
			const settings = await settingsFor();
			service.configure(settings);
			await runtime.configure(settings);
			service.didChangeContent(document);
			const evaluatedAhead = () => log.lines.filter(line => line.startsWith('prompt for opened.js:') && line.includes('evaluated ahead')).length;
			service.didChangeEditorContext({ uri, cursor });
			await until(() => evaluatedAhead() === 1);
			const stats: CompletionStatsInfo[] = [];
			service.onDidSettleGeneration(info => stats.push(info));
			const first = await service.complete({ document, version: 1, offset, explicit: false });
			assert.deepEqual(first, { kind: 'suggestions', suggestions: [canonicalFim.middle] });
			assert.equal(stats[0]?.contextCreateMs, undefined, JSON.stringify(stats[0]));
			// Typing nothing since, the whole prompt was in but its last token (which the generation evaluates for its logits).
			assert.equal(stats[0]!.cachedPromptTokens, stats[0]!.promptTokens - 1, JSON.stringify(stats[0]));

			await until(() => !runtime.completionContext.held);
			// Back from a break: the client reports the focused editor again.
			service.didChangeEditorContext({ uri, cursor });
			await until(() => runtime.completionContext.creations.length === 2 && evaluatedAhead() === 2);
			current = TextDocument.create(document.uri, 'javascript', 2, `${document.getText()}\n`);
			await service.complete({ document: current, version: 2, offset, explicit: false });
			assert.equal(stats.length, 2, 'the request after the release generated');
			assert.equal(stats[1]?.contextCreateMs, undefined, JSON.stringify(stats[1]));
			// The text after the cursor changed, so the prompt is cached up to it: more than BOS and the FIM marker.
			assert.ok(stats[1]!.cachedPromptTokens > 2, `cached after the release: ${JSON.stringify(stats[1])}`);
			assert.deepEqual(runtime.completionContext.creations.map(creation => creation.lane), ['background', 'speculative']);
		} finally {
			service.dispose();
			await runtime.dispose();
		}
	});
});
