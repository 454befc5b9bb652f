import { isSettingValue, runtimeEntries, type SettingSpec } from './settings';
import type { RuntimeSettings } from './types';

/** Transport flags (vscode-languageserver's, and the shared runtime's `--listen` / `--connect`), and whether each takes a value. */
const transportFlags: ReadonlyMap<string, boolean> = new Map([['stdio', false], ['node-ipc', false], ['listen', false], ['connect', false], ['socket', true], ['pipe', true], ['clientProcessId', true]]);

type RuntimeEntry = (typeof runtimeEntries)[number];

/** Each runtime setting by its flag (`model`) and by its key (`modelPath`). */
const byFlag: ReadonlyMap<string, RuntimeEntry> = new Map(runtimeEntries.flatMap(entry => [[entry[1].flag, entry], [entry[0], entry]] as const));

/**
 * Parses the standalone command line: each runtime setting's flag or key with a value, e.g.
 * `--model PATH --threads 4 --gpu off --completionEnabled=false`. A list setting takes a JSON array
 * or one item, and a repeated flag adds to it. Transport flags are left to
 * vscode-languageserver. Returns a message that names the fix for bad input.
 */
export function parseCommandLine(argv: readonly string[]): { settings: Partial<RuntimeSettings> } | { error: string } {
	const settings: Record<string, string | number | boolean | readonly string[]> = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (!arg.startsWith('--')) {
			continue;
		}
		const [name = '', inlineValue] = arg.slice(2).split(/=(.*)/s, 2);
		const takesValue = transportFlags.get(name);
		if (takesValue !== undefined) {
			if (takesValue && inlineValue === undefined) {
				i++;
			}
			continue;
		}
		const entry = byFlag.get(name);
		if (!entry) {
			return { error: `Unknown option --${name}. Options: ${runtimeEntries.map(([, spec]) => usage(spec)).join(', ')}, --stdio.` };
		}
		const text = inlineValue ?? argv[++i];
		if (text === undefined) {
			return { error: `Option --${name} needs a value.` };
		}
		const [key, spec] = entry;
		const value = parseValue(spec, text);
		if (value === undefined) {
			return { error: `--${name} must be ${expectation(spec)}, got "${text}".` };
		}
		const earlier = settings[key];
		settings[key] = Array.isArray(earlier) && Array.isArray(value) ? [...earlier, ...value] : value;
	}
	return { settings };
}

/** The value `text` stands for, or `undefined` when the schema refuses it. */
function parseValue(spec: SettingSpec, text: string): string | number | boolean | readonly string[] | undefined {
	switch (spec.type) {
		case 'string':
			return text;
		case 'stringList': {
			if (!text.trimStart().startsWith('[')) {
				return [text];
			}
			try {
				const value: unknown = JSON.parse(text);
				return isSettingValue(spec, value) ? value as string[] : undefined;
			} catch {
				return undefined;
			}
		}
		case 'boolean':
			return text === 'true' ? true : text === 'false' ? false : undefined;
		case 'enum':
			return spec.values.includes(text) ? text : undefined;
		case 'integer': {
			const value = Number(text);
			return isSettingValue(spec, value) ? value : undefined;
		}
		default:
			void (spec satisfies never);
			return undefined;
	}
}

/** `--gpu auto|on|off`, `--contextSize N (0 = automatic)`, `--completionCandidates N (1 to 5)`. */
function usage(spec: SettingSpec & { readonly flag: string }): string {
	switch (spec.type) {
		case 'string':
			return `--${spec.flag} ${spec.path ? 'PATH' : 'TEXT'}`;
		case 'boolean':
			return `--${spec.flag} true|false`;
		case 'stringList':
			return `--${spec.flag} TEXT|JSON-ARRAY`;
		case 'enum':
			return `--${spec.flag} ${spec.values.join('|')}`;
		case 'integer': {
			const specials = spec.specialValues ?? [];
			const hint = specials.length > 0 ? specials.map(({ value, label }) => `${value} = ${label}`).join(', ')
				: spec.maximum !== undefined ? `${spec.minimum} to ${spec.maximum}` : undefined;
			return `--${spec.flag} N${hint ? ` (${hint})` : ''}`;
		}
		default:
			void (spec satisfies never);
			return '';
	}
}

/** What a value must be: `true or false`, `auto, on or off`, `0 (automatic) or a whole number of tokens from 256`. */
function expectation(spec: SettingSpec): string {
	switch (spec.type) {
		case 'string':
			return 'text';
		case 'boolean':
			return 'true or false';
		case 'stringList':
			return 'one text or a JSON array of texts';
		case 'enum':
			return oneOf(spec.values);
		case 'integer': {
			const specials = (spec.specialValues ?? []).map(({ value, label }) => `${value} (${label})`);
			const range = spec.maximum !== undefined ? ` from ${spec.minimum} to ${spec.maximum}`
				: spec.usableFrom !== undefined ? ` from ${spec.usableFrom}`
				// The special values already say where the range starts ("-1 (automatic), 0 (CPU only) or a whole number of layers").
				: specials.length > 0 ? '' : ` ≥ ${spec.minimum}`;
			return oneOf([...specials, `a whole number${spec.unit ? ` of ${spec.unit}` : ''}${range}`]);
		}
		default:
			void (spec satisfies never);
			return '';
	}
}

/** `a`, `a or b`, `a, b or c`. */
function oneOf(choices: readonly string[]): string {
	return choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : choices[0] ?? '';
}
