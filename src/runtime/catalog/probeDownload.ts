import { RuntimeError } from '../errors/RuntimeError';
import { describeHttpStatus, describeNetworkError } from './describeNetworkError';
import { formatSeconds } from './formatSeconds';

export interface ProbeDownloadOptions {
	/** How long to wait for the server's answer (its headers). Defaults to `30000`. */
	readonly timeoutMs?: number;
	/** The model's name, for the message. Defaults to none ("The download failed: …"). */
	readonly name?: string;
	readonly signal?: AbortSignal;
}

/** Why a download cannot start or go on, in words ("cannot resolve huggingface.co"). */
export interface DownloadProblem {
	readonly reason: string;
	/** The server answered, with an error status; absent for network failures. */
	readonly status?: number;
}

/** What the user is told to do when the network or the server failed. */
export const downloadFailedAction = 'Check the network connection (and the proxy settings), then Retry; the download resumes where it stopped.';

/**
 * One request of our own before node-llama-cpp's downloader starts: a `Range: bytes=0-0` GET of the
 * file (for an `hf:` URI, of its repository on the Hugging Face API), with a timeout. It exists
 * because the downloader (ipull 3.9 under node-llama-cpp 3.21.1) retries a failed request 150 times
 * with back-off up to 5 s, inside `createModelDownloader`, which takes no signal and reports nothing
 * meanwhile: a host that does not resolve, a refused port or a 5xx answer kept a download at
 * "Downloading…" for minutes with no error. Here the same failures end at once with the reason, as a
 * `downloadFailed` {@link RuntimeError}.
 */
export async function probeDownload(uri: string, options: ProbeDownloadOptions = {}): Promise<void> {
	const problem = await findDownloadProblem(uri, options);
	if (problem) {
		const fixAddress = problem.status !== undefined && problem.status < 500 && problem.status !== 429;
		throw new RuntimeError({
			code: 'downloadFailed',
			message: `The download${options.name ? ` of ${options.name}` : ''} failed: ${problem.reason}.`,
			action: fixAddress ? 'Check the model\'s address (or whether it needs a token), then Retry.' : downloadFailedAction,
		});
	}
}

/** The request of {@link probeDownload}: what is wrong, or undefined when the server answers well. Rejects only when `signal` aborts. */
export async function findDownloadProblem(uri: string, { timeoutMs = 30_000, signal }: ProbeDownloadOptions = {}): Promise<DownloadProblem | undefined> {
	const url = probeUrlOf(uri);
	if (!url) {
		return { reason: `"${uri}" is not an http(s) or hf: address` };
	}
	const timeout = AbortSignal.timeout(timeoutMs);
	let response: Response;
	try {
		response = await fetch(url, {
			headers: { range: 'bytes=0-0', 'accept-encoding': 'identity' },
			redirect: 'follow',
			signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
		});
	} catch (error) {
		signal?.throwIfAborted();
		return { reason: timeout.aborted ? `no answer from ${new URL(url).host} for ${formatSeconds(timeoutMs)}` : describeNetworkError(error, url) };
	}
	// Only the status matters; the byte (or a whole page, from a server that ignores ranges) is not read.
	await response.body?.cancel().catch(() => undefined);
	// A private or gated repository may still download with the token node-llama-cpp finds (HF_TOKEN, the Hugging Face CLI's file); it decides.
	const needsToken = url !== uri && (response.status === 401 || response.status === 403);
	return response.status >= 400 && !needsToken ? { reason: describeHttpStatus(response.status, response.statusText, url), status: response.status } : undefined;
}

/** Hugging Face's endpoint, as node-llama-cpp resolves `hf:` URIs against it. */
function huggingFaceEndpoint(): string {
	return (process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

/**
 * The URL to probe: the file itself for `http(s):`; for the `hf:` forms node-llama-cpp accepts, the
 * repository's API page, which answers 404 for a repository that does not exist (the file's own
 * URL may need a quantization tag resolved first, which is the downloader's job).
 */
export function probeUrlOf(uri: string): string | undefined {
	if (/^https?:\/\//i.test(uri)) {
		return uri;
	}
	const repo = /^(?:hf:|huggingface:(?:\/\/)?|(?:hf\.co|huggingface\.co)\/)([^/:#]+)\/([^/:#]+)/i.exec(uri);
	return repo ? `${huggingFaceEndpoint()}/api/models/${repo[1]}/${repo[2]}` : undefined;
}
