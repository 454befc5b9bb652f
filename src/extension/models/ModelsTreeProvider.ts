import * as vscode from 'vscode';
import {
	ModelsHardwareRequest, ModelsListRequest, ModelsRecommendedRequest, type CompletionStatsInfo, type DownloadedModel, type FitLevel, type HardwareInfo, type ModelRole,
	type RecommendedModel, type VisionStatus, VisionStatusRequest,
} from '../../shared/protocol';
import { formatBytes } from '../../shared/formatBytes';
import type { SharedRuntimeStatus } from '../../shared/sharedRuntime';
import { describeSharedModels } from '../describeSharedRuntime';
import { describeEngine, type RemoteView } from '../remote/describeRemote';
import type { RuntimeClient } from '../RuntimeClient';
import { describeActiveModels, describeChatAdvice, describeFitDetails, describeHardware, describePlacement, describeRecommended, toTreeLabel } from './describeModels';
import { ModelsCommandIds } from './modelsCommandIds';

/** One node of the Models view. */
export type ModelsNode =
	| { readonly kind: 'section'; readonly id: 'engine' | 'active' | 'machine' | 'completion' | 'chat' | 'downloaded'; readonly label: string }
	| { readonly kind: 'line'; readonly text: string; readonly icon?: string; readonly tooltip?: string }
	| { readonly kind: 'recommended'; readonly model: RecommendedModel }
	| { readonly kind: 'downloaded'; readonly model: DownloadedModel; readonly active: boolean }
	| { readonly kind: 'pickLocal' }
	| { readonly kind: 'welcome' };

interface Snapshot {
	readonly hardware?: HardwareInfo;
	readonly recommended: readonly RecommendedModel[];
	readonly downloaded: readonly DownloadedModel[];
	/** Asked only when a vision projector is set. */
	readonly vision?: VisionStatus;
	readonly error?: string;
}

const welcomeText = 'No model yet: download one that fits below, or pick a local GGUF.';

const fitIcons: Record<FitLevel, string> = { gpu: 'pass-filled', partialGpu: 'pass', cpu: 'pass', tight: 'warning', tooLarge: 'circle-slash' };

/**
 * The "Bora: Models" view: this machine, the recommended models with fit and expected speed, the
 * downloaded models (use, delete) and "Pick a local GGUF…". Data comes from the runtime.
 */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<void>();
	readonly onDidChangeTreeData = this.changed.event;
	private snapshot: Snapshot = { recommended: [], downloaded: [] };
	private loading: Promise<void> | undefined;

	constructor(
		private readonly runtime: RuntimeClient,
		private readonly storageDir: string,
		private readonly activeModelPaths: () => { completion: string; chat: string; mmproj?: string },
		private readonly sharedStatus: () => SharedRuntimeStatus | undefined = () => undefined,
		/** The remote engine and the last completion's stats while `bora.engine` is remote; undefined in local mode. */
		private readonly remoteEngine: () => { readonly remote: RemoteView; readonly lastStats?: CompletionStatsInfo } | undefined = () => undefined,
	) { }

	get current(): Snapshot {
		return this.snapshot;
	}

	/** Redraws from what is known, without asking the runtime. */
	redraw(): void {
		this.changed.fire();
	}

	/** Asks the runtime again and redraws. */
	refresh(): Promise<void> {
		this.loading ??= this.load().finally(() => {
			this.loading = undefined;
		});
		return this.loading;
	}

	getTreeItem(node: ModelsNode): vscode.TreeItem {
		switch (node.kind) {
			case 'section': {
				const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
				item.id = `section:${node.id}`;
				return item;
			}
			case 'line': {
				const { label, description, tooltip } = toTreeLabel(node.text, node.tooltip);
				const item = new vscode.TreeItem(label);
				item.description = description;
				item.iconPath = node.icon ? new vscode.ThemeIcon(node.icon) : undefined;
				item.tooltip = tooltip;
				return item;
			}
			case 'welcome': {
				const { label, description, tooltip } = toTreeLabel(welcomeText, 'Nothing is downloaded until you click a model.');
				const item = new vscode.TreeItem(label);
				item.description = description;
				item.iconPath = new vscode.ThemeIcon('info');
				item.tooltip = tooltip;
				return item;
			}
			case 'pickLocal': {
				const item = new vscode.TreeItem('Pick a local GGUF…');
				item.iconPath = new vscode.ThemeIcon('folder-opened');
				item.command = { command: ModelsCommandIds.pickLocal, title: 'Pick a local GGUF…' };
				return item;
			}
			case 'recommended': {
				const { entry, fit, downloaded } = node.model;
				const item = new vscode.TreeItem(entry.name);
				item.id = `recommended:${entry.id}`;
				item.description = describeRecommended(node.model);
				item.iconPath = new vscode.ThemeIcon(downloaded ? 'check' : fitIcons[fit.level]);
				item.tooltip = new vscode.MarkdownString([
					`**${entry.name}** · ${entry.role} · ${entry.parameters}${entry.activeParameters ? ` (${entry.activeParameters} active)` : ''} · ${entry.quantization}`,
					entry.description,
					describeFitDetails(fit),
					`Download: ${formatBytes(entry.model.sizeBytes)}${entry.mmproj ? ` + ${formatBytes(entry.mmproj.sizeBytes)} vision projector` : ''} · license ${entry.license}`,
					`\`${entry.model.uri}\``,
				].join('\n\n'));
				item.contextValue = downloaded ? 'bora.recommended.downloaded' : fit.level === 'tooLarge' ? 'bora.recommended.tooLarge' : 'bora.recommended';
				item.command = downloaded
					? { command: ModelsCommandIds.use, title: 'Use', arguments: [node] }
					: { command: ModelsCommandIds.download, title: 'Download', arguments: [node] };
				return item;
			}
			case 'downloaded': {
				const item = new vscode.TreeItem(node.model.name);
				item.id = `downloaded:${node.model.id}`;
				const { fit } = node.model;
				item.description = `${formatBytes(node.model.sizeBytes)}${fit?.placement ? ` · ${describePlacement(fit.placement)}` : ''}${node.active ? ' · in use' : ''}`;
				item.iconPath = new vscode.ThemeIcon(node.active ? 'pass-filled' : fit ? fitIcons[fit.level] : 'file');
				item.tooltip = [
					node.model.modelPath,
					...(node.model.mmprojPath ? [`Vision projector: ${node.model.mmprojPath}`] : []),
					...(fit ? [describeFitDetails(fit)] : []),
				].join('\n');
				item.contextValue = 'bora.downloaded';
				return item;
			}
			default:
				void (node satisfies never);
				throw new Error('unreachable');
		}
	}

	getChildren(node?: ModelsNode): ModelsNode[] {
		const snapshot = this.snapshot;
		if (!node) {
			const remote = this.remoteEngine() !== undefined;
			const noModel = !remote && !this.activeModelPaths().completion;
			return [
				...(noModel ? [{ kind: 'welcome' } as const] : []),
				...(snapshot.error ? [{ kind: 'line', text: snapshot.error, icon: 'error' } as const] : []),
				// In remote mode the server's models are in use; the local ones below are only on disk.
				remote ? { kind: 'section', id: 'engine', label: 'Engine (remote)' } : { kind: 'section', id: 'active', label: 'In use' },
				{ kind: 'section', id: 'machine', label: 'This machine' },
				{ kind: 'section', id: 'completion', label: 'Recommended for completion' },
				{ kind: 'section', id: 'chat', label: 'Recommended for chat' },
				{ kind: 'section', id: 'downloaded', label: 'Downloaded' },
				{ kind: 'pickLocal' },
			];
		}
		if (node.kind !== 'section') {
			return [];
		}
		switch (node.id) {
			case 'engine': {
				const engine = this.remoteEngine();
				return engine ? describeEngine(engine.remote, engine.lastStats).map((line): ModelsNode => ({ kind: 'line', ...line })) : [];
			}
			case 'active': {
				const state = this.runtime.currentState;
				const paths = this.activeModelPaths();
				const shared = describeSharedModels(this.sharedStatus()).map((text): ModelsNode => ({ kind: 'line', text: `Shared runtime: ${text}`, icon: 'server-process' }));
				return [
					...describeActiveModels(state.kind === 'runtime' ? state.runtime : undefined, { chat: paths.chat !== paths.completion ? paths.chat : '', mmproj: paths.mmproj }, snapshot.vision)
						.map((line): ModelsNode => ({ kind: 'line', ...line })),
					...shared,
				];
			}
			case 'machine':
				return snapshot.hardware ? describeHardware(snapshot.hardware).map(text => ({ kind: 'line', text })) : [{ kind: 'line', text: 'Detecting…', icon: 'loading~spin' }];
			case 'completion':
				return this.recommendedFor(node.id);
			case 'chat': {
				const models = this.recommendedFor('chat');
				return models.length === 0 ? [] : [{ kind: 'line', ...describeChatAdvice(snapshot.recommended.filter(model => model.entry.role === 'chat'), snapshot.hardware) }, ...models];
			}
			case 'downloaded': {
				const active = this.activeModelPaths();
				// A remote engine answers everything: no local file is in use, whatever the path settings say.
				const remote = this.remoteEngine() !== undefined;
				return snapshot.downloaded.length === 0
					? [{ kind: 'line', text: 'None yet' }]
					: snapshot.downloaded.map(model => ({ kind: 'downloaded', model, active: !remote && (model.modelPath === active.completion || model.modelPath === active.chat) }));
			}
			default:
				void (node.id satisfies never);
				return [];
		}
	}

	dispose(): void {
		this.changed.dispose();
	}

	/** Puts a catalog model's new fit (e.g. after "Check Fit on This Machine") in place and redraws. */
	updateRecommended(model: RecommendedModel): void {
		const recommended = this.snapshot.recommended.map(item => item.entry.id === model.entry.id ? model : item);
		this.snapshot = { ...this.snapshot, recommended };
		this.changed.fire();
	}

	private recommendedFor(role: ModelRole): ModelsNode[] {
		return this.snapshot.recommended.filter(model => model.entry.role === role).map(model => ({ kind: 'recommended', model }));
	}

	private async load(): Promise<void> {
		try {
			const [hardware, recommended, downloaded, vision] = await Promise.all([
				this.runtime.request(ModelsHardwareRequest.type, undefined),
				this.runtime.request(ModelsRecommendedRequest.type, { storageDir: this.storageDir }),
				this.runtime.request(ModelsListRequest.type, { storageDir: this.storageDir }),
				this.activeModelPaths().mmproj ? this.runtime.request(VisionStatusRequest.type, undefined).catch(() => undefined) : undefined,
			]);
			this.snapshot = { hardware, recommended, downloaded, ...(vision ? { vision } : {}) };
		} catch (error) {
			this.snapshot = { ...this.snapshot, error: `Cannot ask the runtime: ${error instanceof Error ? error.message : String(error)}` };
		}
		this.changed.fire();
	}
}
