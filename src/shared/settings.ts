/*
 * Bora's settings, declared once. Each entry says how the setting is typed and limited, its
 * default, whether it goes to the runtime and under which command-line flag. The extension's
 * `getSettings()`, the server's `mergeSettings`/`parseCommandLine` and `defaultRuntimeSettings`
 * derive from it; test/standalone/settingsSchema.test.ts holds it against package.json's
 * `contributes.configuration`, where the user-facing descriptions live.
 */

/** package.json `scope`; absent means `window`, VS Code's default. */
export type SettingScope = 'application' | 'machine' | 'machine-overridable' | 'window' | 'resource' | 'language-overridable';

/** An integer with a meaning of its own, e.g. `0` for "automatic". */
export interface SpecialValue {
	readonly value: number;
	readonly label: string;
}

interface StringSpec {
	readonly type: 'string';
	readonly default: string;
	/** A file or folder: the extension trims it and expands a leading `~`. Defaults to `false`. */
	readonly path?: boolean;
	/** A regular expression the whole value must match (package.json's `pattern`); a value that does not is refused, or read as the default. */
	readonly pattern?: string;
}

interface BooleanSpec {
	readonly type: 'boolean';
	readonly default: boolean;
}

interface IntegerSpec {
	readonly type: 'integer';
	readonly default: number;
	readonly minimum: number;
	readonly maximum?: number;
	/** Named values, shown in the command-line help and error messages. Defaults to none. */
	readonly specialValues?: readonly SpecialValue[];
	/**
	 * The smallest usable value besides the special ones: smaller ones are refused on the wire and on
	 * the command line, and the extension reads them as the default. Defaults to `minimum`.
	 */
	readonly usableFrom?: number;
	/** What is counted, for messages ("a whole number of tokens"). Defaults to none. */
	readonly unit?: string;
}

/** A list of texts, e.g. glob patterns; in package.json an array of strings. */
interface StringListSpec {
	readonly type: 'stringList';
	readonly default: readonly string[];
}

interface EnumSpec {
	readonly type: 'enum';
	readonly values: readonly string[];
	readonly default: string;
}

/** Settings the runtime uses travel under their schema key; the standalone server takes them as `--flag VALUE` or `--key VALUE`. */
type Delivery =
	| { readonly runtime: false }
	| { readonly runtime: true; /** Without the dashes; may be shorter than the key (`--model`). */ readonly flag: string };

interface Common {
	/** The VS Code setting id; absent for a runtime value the host supplies rather than the user (`storageDir`). */
	readonly id?: string;
	/** One line for readers of this file; the user reads package.json's (markdown) description. */
	readonly description: string;
	readonly scope?: SettingScope;
}

export type SettingSpec = Common & Delivery & (StringSpec | BooleanSpec | IntegerSpec | EnumSpec | StringListSpec);

/**
 * Every setting, in package.json's order. The key is the setting's name in the extension's snapshot
 * and, for runtime settings, in `RuntimeSettings`.
 */
export const settingsSchema = {
	modelPath: { id: 'bora.modelPath', description: 'GGUF model for inline completion.', type: 'string', path: true, default: '', scope: 'machine-overridable', runtime: true, flag: 'model' },
	chatModelPath: { id: 'bora.chat.modelPath', description: 'GGUF model for chat; empty: the completion model.', type: 'string', path: true, default: '', scope: 'machine-overridable', runtime: true, flag: 'chatModelPath' },
	mmprojPath: { id: 'bora.chat.mmprojPath', description: 'Vision projector of the chat model; empty: no image understanding.', type: 'string', path: true, default: '', scope: 'machine-overridable', runtime: true, flag: 'mmprojPath' },
	draftModelPath: { id: 'bora.completion.draftModelPath', description: 'Small GGUF of the completion model\'s vocabulary that drafts tokens for it (speculative decoding); empty: none.', type: 'string', path: true, default: '', scope: 'machine-overridable', runtime: true, flag: 'draftModel' },
	reasoningEffort: { id: 'bora.reasoningEffort', description: 'How long a reasoning model may think in the chat; goes with each chat request.', type: 'enum', values: ['off', 'low', 'medium', 'high'], default: 'medium', runtime: false },
	completionEnabled: { id: 'bora.completion.enabled', description: 'Inline completion answers at all.', type: 'boolean', default: true, runtime: true, flag: 'completionEnabled' },
	completionMode: { id: 'bora.completion.mode', description: 'Fill-in-the-middle, the chat template, or whichever the model has.', type: 'enum', values: ['auto', 'fim', 'chat'], default: 'auto', runtime: true, flag: 'completionMode' },
	// More suggestions than 5 cost time and are rarely cycled through.
	completionCandidates: { id: 'bora.completion.candidates', description: 'Suggestions computed when asked explicitly, best first.', type: 'integer', default: 3, minimum: 1, maximum: 5, runtime: true, flag: 'completionCandidates' },
	maxSuffixCharsOnLine: { id: 'bora.completion.maxSuffixCharsOnLine', description: 'No automatic suggestion with more non-whitespace characters right of the cursor on its line.', type: 'integer', default: 8, minimum: 0, unit: 'characters', runtime: true, flag: 'maxSuffixCharsOnLine' },
	politeness: { id: 'bora.completion.politeness', description: 'How eagerly the extension asks for suggestions while typing.', type: 'enum', values: ['eager', 'normal', 'onPause'], default: 'normal', runtime: false },
	extraContextEnabled: { id: 'bora.completion.extraContext.enabled', description: 'Completion prompts carry context from other files.', type: 'boolean', default: true, runtime: true, flag: 'extraContextEnabled' },
	extraContextMaxTokens: { id: 'bora.completion.extraContext.maxTokens', description: 'Tokens the extra context may take in a completion prompt.', type: 'integer', default: 1024, minimum: 0, unit: 'tokens', runtime: true, flag: 'extraContextMaxTokens' },
	// What looks like a secret; VS Code's files.exclude comes on top (filesExclude).
	extraContextExclude: { id: 'bora.completion.extraContext.exclude', description: 'Files never read as extra context: globs relative to a workspace folder.', type: 'stringList', default: ['**/.env*', '**/*.pem', '**/id_*', '**/*.key'], runtime: true, flag: 'extraContextExclude' },
	extraContextClipboard: { id: 'bora.completion.extraContext.clipboard', description: 'The extension sends copied text as extra context.', type: 'boolean', default: false, runtime: false },
	threads: { id: 'bora.threads', description: 'CPU threads for evaluation; 0: one per physical core.', type: 'integer', default: 0, minimum: 0, scope: 'machine', runtime: true, flag: 'threads' },
	gpu: { id: 'bora.gpu', description: 'Whether the model runs on the GPU.', type: 'enum', values: ['auto', 'on', 'off'], default: 'auto', scope: 'machine', runtime: true, flag: 'gpu' },
	// Smaller contexts cannot hold a prompt and its answer.
	contextSize: { id: 'bora.contextSize', description: 'Tokens of KV cache for completion and chat.', type: 'integer', default: 0, minimum: 0, usableFrom: 256, specialValues: [{ value: 0, label: 'automatic' }], unit: 'tokens', scope: 'machine', runtime: true, flag: 'contextSize' },
	gpuLayers: { id: 'bora.gpuLayers', description: 'Model layers on the GPU.', type: 'integer', default: -1, minimum: -1, specialValues: [{ value: -1, label: 'automatic' }, { value: 0, label: 'CPU only' }], unit: 'layers', scope: 'machine', runtime: true, flag: 'gpuLayers' },
	// Issue 15: placing a Mixture-of-Experts model's routed experts (llama.cpp's --cpu-moe / --n-cpu-moe).
	moeCpuExperts: { id: 'bora.moe.cpuExperts', description: "Routed experts kept in RAM: 'auto' (the fit decides), 'all', or the first N layers' ('0': none).", type: 'string', pattern: '^(auto|all|[0-9]+)$', default: 'auto', scope: 'machine', runtime: true, flag: 'cpuExperts' },
	gpuReserveGiB: { id: 'bora.gpu.reserveGiB', description: 'GiB of GPU memory the fit leaves free for the desktop and other programs.', type: 'integer', default: 1, minimum: 0, unit: 'GiB', scope: 'machine', runtime: true, flag: 'gpuReserveGiB' },
	// Issue 17: an OpenAI-compatible server instead of the local runtime. The API key is never a setting (SecretStorage, sent with RemoteApiKeyNotification).
	engine: { id: 'bora.engine', description: "Where models run: 'local' (this machine) or 'remote' (bora.remote.url).", type: 'enum', values: ['local', 'remote'], default: 'local', scope: 'machine-overridable', runtime: true, flag: 'engine' },
	remoteUrl: { id: 'bora.remote.url', description: 'Base URL of an OpenAI-compatible server (vLLM, SGLang, llama-server).', type: 'string', default: '', scope: 'machine-overridable', runtime: true, flag: 'remoteUrl' },
	remoteCompletionModel: { id: 'bora.remote.completionModel', description: "Model name on the server for inline completion; empty: the server's only (or first) model.", type: 'string', default: '', scope: 'machine-overridable', runtime: true, flag: 'remoteCompletionModel' },
	remoteChatModel: { id: 'bora.remote.chatModel', description: "Model name on the server for chat and images; empty: the completion model.", type: 'string', default: '', scope: 'machine-overridable', runtime: true, flag: 'remoteChatModel' },
	remoteHeaders: { id: 'bora.remote.headers', description: "Extra HTTP headers for every request, each 'Name: value'.", type: 'stringList', default: [], scope: 'machine-overridable', runtime: true, flag: 'remoteHeader' },
	remoteSendExtraContext: { id: 'bora.remote.sendExtraContext', description: 'Completion prompts sent to the remote engine carry extra context from other files.', type: 'boolean', default: true, scope: 'machine-overridable', runtime: true, flag: 'remoteSendExtraContext' },
	remoteFimFormat: { id: 'bora.remote.fimFormat', description: "FIM format when the server cannot tell ('auto': detect through /tokenize).", type: 'enum', values: ['auto', 'mistral', 'qwen', 'starcoder', 'deepseek', 'codellama', 'chat'], default: 'auto', scope: 'machine-overridable', runtime: true, flag: 'remoteFimFormat' },
	runtimeShared: { id: 'bora.runtime.shared', description: 'All windows share one runtime process (and one copy of each model); off: a runtime per window.', type: 'boolean', default: true, scope: 'machine', runtime: false },
	keepAliveMinutes: { id: 'bora.runtime.keepAliveMinutes', description: 'Minutes the shared runtime stays up after the last window disconnects; 0: it exits at once.', type: 'integer', default: 5, minimum: 0, unit: 'minutes', scope: 'machine', runtime: true, flag: 'keepAliveMinutes' },
	traceServer: { id: 'bora.trace.server', description: 'vscode-languageclient traces the protocol messages.', type: 'enum', values: ['off', 'messages', 'verbose'], default: 'off', scope: 'window', runtime: false },
	storageDir: { description: "Folder for the runtime's own files (speed forecasts): the extension's global storage.", type: 'string', path: true, default: '', runtime: true, flag: 'storageDir' },
	filesExclude: { description: "The patterns of VS Code's files.exclude that are on: files never read as extra context.", type: 'stringList', default: [], runtime: true, flag: 'filesExclude' },
} as const satisfies Readonly<Record<string, SettingSpec>>;

export type SettingsSchema = typeof settingsSchema;
export type SettingKey = keyof SettingsSchema;

/** The value type an entry describes: its enum values, or its plain type. */
export type SettingValueOf<S> =
	S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] } ? V
	: S extends { readonly type: 'boolean' } ? boolean
	: S extends { readonly type: 'integer' } ? number
	: S extends { readonly type: 'stringList' } ? readonly string[]
	: string;

type UserKey = { [K in SettingKey]: SettingsSchema[K] extends { readonly id: string } ? K : never }[SettingKey];
type RuntimeKey = { [K in SettingKey]: SettingsSchema[K] extends { readonly runtime: true } ? K : never }[SettingKey];

/** A typed snapshot of the user's settings, as the extension reads them. */
export type Settings = { readonly [K in UserKey]: SettingValueOf<SettingsSchema[K]> };

/** Every runtime setting with its value: what `RuntimeSettings` (src/shared/types.ts) must match. */
export type RuntimeSettingValues = { readonly [K in RuntimeKey]: SettingValueOf<SettingsSchema[K]> };

/** Runtime settings the host supplies instead of the user. */
export type HostSettings = Omit<RuntimeSettingValues, UserKey>;

type Entry = readonly [key: SettingKey, spec: SettingSpec];

/** The entries in schema order, typed loosely for generic code. */
export const settingEntries: readonly Entry[] = Object.entries(settingsSchema) as readonly Entry[];

/** The entries that go to the runtime. */
export const runtimeEntries: readonly (readonly [key: RuntimeKey, spec: SettingSpec & { readonly runtime: true }])[] =
	settingEntries.filter((entry): entry is readonly [RuntimeKey, SettingSpec & { readonly runtime: true }] => entry[1].runtime);

/** Every setting Bora reads, by full id, plus the `bora` section. */
export const SettingIds = {
	section: 'bora',
	...Object.fromEntries(settingEntries.flatMap(([key, spec]) => spec.id === undefined ? [] : [[key, spec.id]])),
} as { readonly section: 'bora' } & { readonly [K in UserKey]: SettingsSchema[K]['id'] };

/** The ids of the settings the runtime uses: a change to any of them is pushed to it. */
export const runtimeSettingIds: readonly string[] = runtimeEntries.flatMap(([, spec]) => spec.id === undefined ? [] : [spec.id]);

/** The runtime's settings before any client or command line says otherwise. */
export const runtimeSettingDefaults = Object.fromEntries(runtimeEntries.map(([key, spec]) => [key, spec.default])) as RuntimeSettingValues;

/** Whether `value` is a valid value for `spec`, as sent over the wire; out-of-range values are refused, not clamped. */
export function isSettingValue(spec: SettingSpec, value: unknown): boolean {
	switch (spec.type) {
		case 'string':
			return typeof value === 'string' && (spec.pattern === undefined || new RegExp(spec.pattern).test(value));
		case 'boolean':
			return typeof value === 'boolean';
		case 'stringList':
			return Array.isArray(value) && value.every(item => typeof item === 'string');
		case 'enum':
			return typeof value === 'string' && spec.values.includes(value);
		case 'integer':
			return typeof value === 'number' && Number.isInteger(value) && value >= spec.minimum && value <= (spec.maximum ?? Infinity)
				&& (value >= (spec.usableFrom ?? spec.minimum) || (spec.specialValues ?? []).some(special => special.value === value));
		default:
			void (spec satisfies never);
			return false;
	}
}

export interface ReadSettingsOptions {
	/** Replaces a leading `~` of paths. Defaults to no expansion. */
	readonly homeDir?: string;
}

/**
 * How the extension reads a value the user wrote: lenient where the schema allows (integers are
 * floored and clamped to the limits, paths trimmed), the default where it cannot make sense of it.
 */
export function normalizeSetting(spec: SettingSpec, value: unknown, { homeDir }: ReadSettingsOptions = {}): string | boolean | number | readonly string[] {
	switch (spec.type) {
		case 'string':
			if (typeof value !== 'string' || (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value.trim()))) {
				return spec.default;
			}
			return spec.path ? expandHome(value.trim(), homeDir) : spec.pattern !== undefined ? value.trim() : value;
		case 'boolean':
			return typeof value === 'boolean' ? value : spec.default;
		case 'stringList':
			// An entry that is not text is dropped, not the whole list.
			return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : spec.default;
		case 'enum':
			return typeof value === 'string' && spec.values.includes(value) ? value : spec.default;
		case 'integer': {
			if (typeof value !== 'number' || !Number.isFinite(value)) {
				return spec.default;
			}
			const clamped = Math.min(spec.maximum ?? Infinity, Math.max(spec.minimum, Math.floor(value)));
			return isSettingValue(spec, clamped) ? clamped : spec.default;
		}
		default:
			void (spec satisfies never);
			return spec;
	}
}

/** The snapshot of every user setting, each read through `read` (VS Code's `config.get(id)`) and normalised. */
export function readSettings(read: (id: string) => unknown, options: ReadSettingsOptions = {}): Settings {
	return Object.fromEntries(settingEntries.flatMap(([key, spec]) => spec.id === undefined ? [] : [[key, normalizeSetting(spec, read(spec.id), options)]])) as Settings;
}

/** One user setting, read and normalised like {@link readSettings} does. */
export function readSetting<K extends UserKey>(key: K, read: (id: string) => unknown, options: ReadSettingsOptions = {}): Settings[K] {
	const spec: SettingSpec = settingsSchema[key];
	return normalizeSetting(spec, read(settingsSchema[key].id), options) as Settings[K];
}

/** What the runtime gets: the runtime settings from `settings`, plus what the host supplies. */
export function toRuntimeSettings(settings: Settings, host: HostSettings): RuntimeSettingValues {
	const values: Readonly<Record<string, unknown>> = { ...settings, ...host };
	return Object.fromEntries(runtimeEntries.map(([key]) => [key, values[key]])) as RuntimeSettingValues;
}

function expandHome(path: string, homeDir: string | undefined): string {
	return homeDir && (path === '~' || path.startsWith('~/')) ? homeDir + path.slice(1) : path;
}
