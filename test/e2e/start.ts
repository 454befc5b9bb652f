/*
 * `npm start`: builds Bora, installs the .vsix into a real VS Code (code-server on 127.0.0.1) with a
 * small demo workspace, and prints the URL. The model is `--model PATH`, else $BORA_MODEL, else the
 * generated demo model. Ctrl+C stops every process it started.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFixtureModel } from '../models/fixtures';
import { CodeServer } from './harness/CodeServer';
import { packageVsix } from './harness/packageVsix';
import { RunFolder } from './harness/RunFolder';
import { ensureE2eTools } from './harness/tools';
import { repoRoot } from '../support/paths';

// vsce and the installs write temporary files: keep them in the cache folder, not loose in /tmp.
process.env.TMPDIR = join(repoRoot, '.cache', 'e2e', 'tmp');
mkdirSync(process.env.TMPDIR, { recursive: true });

const { values } = parseArgs({ options: { model: { type: 'string' }, port: { type: 'string', default: '8765' } } });
const configuredModel = values.model ?? process.env.BORA_MODEL;

console.log('Preparing VS Code, the Bora package and the model…');
const [tools, vsix, folder, model] = await Promise.all([
	ensureE2eTools(),
	packageVsix(),
	RunFolder.create('start'),
	configuredModel ? Promise.resolve(configuredModel) : ensureFixtureModel('demo'),
]);
await folder.writeWorkspaceFile('add.js', '// Type the line below and wait for the ghost text, then press Tab:\n// function add(a, b) {\n\n');
await folder.writeWorkspaceFile('README.md', `# Bora demo\n\nModel: ${model}${configuredModel ? '' : ' (the generated demo model: it only knows how to finish `function add(a, b) {`)'}\n`);
// Model path, threads and GPU are machine settings: in code-server they live in the Machine file.
await folder.writeSettings({ 'git.openRepositoryInParentFolders': 'never' }, { 'bora.modelPath': model });

const server = await CodeServer.start({ tools, folder, installExtensions: [vsix], testDriver: false, port: Number(values.port) });
let stopping = false;
const stop = async () => {
	if (stopping) {
		return;
	}
	stopping = true;
	console.log('\nStopping VS Code…');
	await server.stop();
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log(`
Bora is running in VS Code at:

  ${server.workbenchUrl()}

Model: ${model}${configuredModel ? '' : ' (demo)'}
Logs:  ${folder.artifacts}
Press Ctrl+C to stop.`);
