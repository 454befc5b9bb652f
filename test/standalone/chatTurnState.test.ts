import assert from 'node:assert/strict';
import { SendTracker } from '../../media/chat/SendTracker';
import { emptyAnswerText, turnNotes } from '../../media/chat/turnNotes';
import type { TurnView } from '../../src/shared/webviewMessages';

const turn = (extra: Partial<TurnView> = {}): TurnView => ({ user: 'Q', attachments: [], thought: '', answer: 'A', thoughtTokens: 0, ...extra });
const blankImageNotice = 'The model wrote no answer about this image; it may be blank or show too little to describe. Ask a more specific question, or try another image.';

describe('chat turn notes', () => {
	it('an empty image answer shows the runtime\'s notice instead of nothing', () => {
		assert.deepEqual(turnNotes(turn({ answer: '', notice: blankImageNotice }), false), { notice: blankImageNotice });
	});

	it('a finished empty answer without a notice still says what happened and what to do', () => {
		assert.deepEqual(turnNotes(turn({ answer: '  \n' }), false), { status: { kind: 'empty', text: emptyAnswerText } });
		assert.match(emptyAnswerText, /no answer.*Ask again/);
	});

	it('a notice with an answer (effort ignored) shows under it; none when there is nothing to say', () => {
		const notice = 'Reasoning effort "high" was ignored: this model cannot reason.';
		assert.deepEqual(turnNotes(turn({ notice }), false), { notice });
		assert.deepEqual(turnNotes(turn(), false), {});
		assert.deepEqual(turnNotes(turn({ notice: ' ' }), false), {});
	});

	it('a streaming turn is pending until text arrives, and never called empty', () => {
		assert.deepEqual(turnNotes(turn({ answer: '' }), true), { status: { kind: 'pending', text: 'Bora is answering…' } });
		assert.deepEqual(turnNotes(turn({ answer: '', thought: 'hm', thoughtTokens: 1 }), true), {});
		assert.deepEqual(turnNotes(turn({ answer: 'par' }), true), {});
	});

	it('errors (host Markdown) and Stop win over the empty-answer text, and keep any notice', () => {
		assert.deepEqual(turnNotes(turn({ answer: '', error: 'The answer failed: **boom**' }), false), { status: { kind: 'error', markdown: 'The answer failed: **boom**' } });
		assert.deepEqual(turnNotes(turn({ answer: '', stopped: true, notice: 'n' }), false), { status: { kind: 'stopped', text: 'Stopped.' }, notice: 'n' });
	});
});

describe('chat panel send state', () => {
	it('is busy from Send until the turn it started has finished, and clears the draft only for its own turn', () => {
		const sending = new SendTracker();
		assert.equal(sending.busy, false);
		const id = sending.sent();
		assert.equal(sending.busy, true, 'busy before the host has started the turn (context read, image stored)');
		assert.equal(sending.awaitingTurn, true);
		assert.equal(sending.turnStarted(id), true, 'its own turn: the draft can go');
		assert.equal(sending.busy, true, 'still busy while the answer streams');
		assert.equal(sending.awaitingTurn, false);
		sending.turnFinished();
		assert.equal(sending.busy, false);
	});

	it('a state redraw while a turn streams keeps it busy; one without a streaming turn ends the wait and keeps the draft', () => {
		const sending = new SendTracker();
		sending.turnStarted(undefined);
		sending.state(true);
		assert.equal(sending.busy, true, 'a panel reload mid-answer stays busy');
		sending.turnFinished();
		sending.sent();
		sending.state(false);
		assert.equal(sending.busy, false, 'the host refused or stopped the send: the panel takes input again');
		assert.equal(sending.awaitingTurn, false);
	});

	it('a turn started from a command does not clear the draft of a message still waiting', () => {
		const sending = new SendTracker();
		const id = sending.sent();
		assert.equal(sending.turnStarted(undefined), false);
		assert.equal(sending.turnStarted(id + 1), false);
		assert.equal(sending.awaitingTurn, true);
		sending.turnFinished();
		assert.equal(sending.busy, true, 'still waiting for its own turn or the host\'s answer');
		assert.equal(sending.turnStarted(id), true);
	});
});
