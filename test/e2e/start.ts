/*
 * `npm start`: builds Bora, installs the .vsix into a real VS Code (code-server on 127.0.0.1) with a
 * small demo workspace, and prints the URL. The models are `--model PATH`, `--chat-model PATH` and
 * `--mmproj PATH` (else $BORA_MODEL for the first); with none given, the demo's generated models:
 * completion, a chat model that thinks, and a vision projector. Ctrl+C stops every process it started.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CodeServer } from './harness/CodeServer';
import { prepareDemoWorkspace } from './harness/demoWorkspace';
import { packageVsix } from './harness/packageVsix';
import { RunFolder } from './harness/RunFolder';
import { ensureE2eTools } from './harness/tools';
import { repoRoot } from '../support/paths';

// vsce and the installs write temporary files: keep them in the cache folder, not loose in /tmp.
process.env.TMPDIR = join(repoRoot, '.cache', 'e2e', 'tmp');
mkdirSync(process.env.TMPDIR, { recursive: true });

const { values } = parseArgs({
	options: {
		model: { type: 'string' },
		'chat-model': { type: 'string' },
		mmproj: { type: 'string' },
		port: { type: 'string', default: '8765' },
	},
});

console.log('Preparing VS Code, the Bora package and the models…');
const [tools, vsix, folder] = await Promise.all([ensureE2eTools(), packageVsix(), RunFolder.create('start')]);
const demo = await prepareDemoWorkspace(folder, { model: values.model ?? process.env.BORA_MODEL, chatModel: values['chat-model'], mmproj: values.mmproj });

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

  ${server.workbenchUrl({ openFile: join(folder.workspace, 'add.js') })}

Completion model: ${demo.model}
Chat model:       ${demo.chatModel || 'the completion model'}
Projector:        ${demo.mmproj || 'none'}${demo.generated ? '\n(The demo\'s tiny generated models: they know one function body, one chat answer, and red from blue.)' : ''}
Logs:  ${folder.artifacts}
Press Ctrl+C to stop.`);
