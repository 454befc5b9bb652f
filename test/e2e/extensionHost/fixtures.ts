import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fixturesFileName } from '../shared';

/** What the harness wrote into the fixture workspace: paths of the generated models and expectations. */
export interface E2eFixtures {
	readonly models: Record<'mistral4Fim' | 'qwenFim' | 'noFim' | 'codellamaFim', string>;
	readonly names: Record<'mistral4Fim' | 'qwenFim' | 'noFim' | 'codellamaFim', string>;
	readonly canonicalFim: { readonly prefix: string; readonly suffix: string; readonly middle: string };
	/** `qwenFim`'s second, less likely suggestion for the canonical case. */
	readonly canonicalFimAlternative: string;
	/** What the FIM fixtures answer to any chat message. */
	readonly chatAnswer: string;
}

export function readFixtures(): E2eFixtures {
	const folder = vscode.workspace.workspaceFolders?.[0];
	if (!folder) {
		throw new Error('The e2e harness opens a fixture workspace; none is open');
	}
	return JSON.parse(readFileSync(join(folder.uri.fsPath, fixturesFileName), 'utf8')) as E2eFixtures;
}
