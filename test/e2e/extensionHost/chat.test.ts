import assert from 'node:assert/strict';
import { activateBora, runtimePids, waitForReady, waitForState } from './boraApi';
import { readFixtures } from './fixtures';

const plain = { includeFile: false, includeSelection: false, mentions: [] } as const;

describe('chat history', () => {
	it('keeps every turn in the workspace history through a runtime crash, and the chat goes on', async () => {
		const api = await activateBora();
		const { chatAnswer, names } = readFixtures();
		await waitForReady(api, names.mistral4Fim);
		const { session, history } = api.chat;
		await session.newChat();
		const first = await session.send({ text: 'Hello?', ...plain });
		assert.equal(first?.answer, chatAnswer);
		assert.equal(first?.error, undefined);

		const [pid] = runtimePids();
		assert.ok(pid, 'the runtime runs');
		const restarting = waitForState(api, state => state.kind === 'starting');
		process.kill(pid, 'SIGKILL');
		await restarting;
		await waitForReady(api, names.mistral4Fim);
		assert.deepEqual(history.current.turns.map(turn => [turn.user, turn.answer]), [['Hello?', chatAnswer]]);

		const second = await session.send({ text: 'And again?', ...plain });
		assert.equal(second?.answer, chatAnswer);
		assert.deepEqual(history.current.turns.map(turn => turn.user), ['Hello?', 'And again?']);
	});
});
