import { access, rename, stat } from 'node:fs/promises';
import type { ModelDownloader } from 'node-llama-cpp';

/** ipull's name for a file being downloaded: the data, then its progress as JSON. */
const progressExtension = '.ipull';

/**
 * Puts a closed, unfinished download back where the next attempt looks for it. ipull (3.9.5, under
 * node-llama-cpp 3.21.1) renames `model.gguf.ipull` to `model.gguf` when it is closed midway, with its
 * progress still appended; the next downloader looks for `model.gguf.ipull`, finds none, and starts
 * from byte 0. A file longer than its announced size is such a partial one, so it gets its name back.
 */
export async function keepPartialForResume(downloader: ModelDownloader): Promise<void> {
	for (const file of downloader.filesInfo) {
		const size = await stat(file.filePath).then(stats => stats.size, () => undefined);
		const hasProgressFile = await access(file.filePath + progressExtension).then(() => true, () => false);
		if (size !== undefined && file.totalSize > 0 && size > file.totalSize && !hasProgressFile) {
			await rename(file.filePath, file.filePath + progressExtension).catch(() => undefined);
		}
	}
}
