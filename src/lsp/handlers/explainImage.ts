import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import { imageLimits, RuntimeError, type ExplainImageResult as EngineImageResult, type ImageQuestion, type VisionStatus } from '../../runtime';
import { ChatChunkNotification, ExplainImageRequest, VisionStatusRequest, type ExplainImageParams, type ExplainImageResult } from '../../shared/protocol';
import { runSafeAsync, type HandlerLog, type OnUnexpectedError } from '../runSafe';

export interface ExplainImageLog extends HandlerLog {
	info(message: string): void;
}

/** Whatever answers a window's image questions: its local runtime (mtmd), or its remote engine. */
export interface ImageAnswerer {
	explainImage(question: ImageQuestion): Promise<EngineImageResult>;
	visionStatus(): Promise<VisionStatus>;
}

/**
 * `bora/explainImage`: one streamed answer about an image, sent as `bora/chatChunk` answer chunks
 * with the request's chatId. `bora/visionStatus`: whether that works now, and why not.
 */
export function registerExplainImage(connection: Connection, engineOf: () => ImageAnswerer, log: ExplainImageLog): void {
	connection.onRequest(VisionStatusRequest.type, () => engineOf().visionStatus());
	connection.onRequest(ExplainImageRequest.type, (params, token) => {
		const request = parseParams(params);
		return runSafeAsync(log, async (signal): Promise<ExplainImageResult> => {
			const { chatId } = request;
			if (request.base64 !== undefined && request.base64.length > Math.ceil(imageLimits.maxBytes / 3) * 4) {
				throw new RuntimeError({ code: 'badImage', message: `The image is larger than ${imageLimits.maxBytes / (1024 * 1024)} MB.`, action: 'Crop or shrink the screenshot.' });
			}
			const image = request.imagePath ? { path: request.imagePath } : Buffer.from(request.base64!, 'base64');
			const result = await engineOf().explainImage({
				image, question: request.question, history: request.history, signal,
				onText: text => void connection.sendNotification(ChatChunkNotification.type, { chatId, kind: 'answer', text, thoughtTokens: 0 }),
			});
			log.info(`explainImage ${chatId}: ${result.image.format} ${result.image.width}×${result.image.height}, ${result.imageTokens} of ${result.imageTokenBudget} image tokens, image encoder on ${result.encoderBackend}${result.loadMs ? `, projector loaded in ${result.loadMs} ms` : ''}`);
			return {
				answer: result.answer, thought: '', thoughtTokens: 0, budgetExhausted: false,
				imageTokens: result.imageTokens, imageTokenBudget: result.imageTokenBudget, imageWidth: result.image.width, imageHeight: result.image.height,
				...(result.answer.trim() ? {} : { notice: noAnswerNotice }),
			};
		}, imageAnswerFailed, `Error while answering image question ${request.chatId}`, token);
	});
}

/** Said with an empty answer (a blank or uniform image often gets one), so the panel never shows nothing. */
const noAnswerNotice = 'The model wrote no answer about this image; it may be blank or show too little to describe. Ask a more specific question, or try another image.';

/** Like a chat, an image question must never end in an empty answer that looks like success. */
const imageAnswerFailed: OnUnexpectedError<ExplainImageResult> = { fail: { message: 'The image answer failed', action: 'See the runtime log for details.' } };

function parseParams(params: unknown): ExplainImageParams {
	const fail = (what: string): never => {
		throw new ResponseError(ErrorCodes.InvalidParams, `bora/explainImage: ${what}`);
	};
	if (typeof params !== 'object' || params === null) return fail('params must be an object');
	const p = params as Record<string, unknown>;
	if (typeof p.chatId !== 'string') fail('chatId must be a string');
	const hasPath = typeof p.imagePath === 'string' && p.imagePath.length > 0;
	const hasBytes = typeof p.base64 === 'string';
	if (hasPath === hasBytes) fail('give exactly one of imagePath and base64');
	if (p.question !== undefined && typeof p.question !== 'string') fail('question must be a string');
	if (p.history !== undefined && !(Array.isArray(p.history) && p.history.every(t => typeof t === 'object' && t !== null && typeof t.user === 'string' && typeof t.assistant === 'string'))) {
		fail('history must be a list of {user, assistant} turns');
	}
	return p as unknown as ExplainImageParams;
}
