import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The editor's workspace as LSP's `initialize` describes it (its `InitializeParams` satisfy this). */
export interface WorkspaceFolders {
	readonly workspaceFolders?: readonly { readonly uri: string; readonly name: string }[] | null;
	/** The older single root, used when there are no folders. */
	readonly rootUri?: string | null;
}

/**
 * Names for repo-level prompts: the workspace's name, and each file's path relative to its
 * workspace folder (just the file name outside any folder), as the model saw them in training.
 */
export class WorkspaceNames {
	private folders: Array<{ uri: string; name: string }> = [];

	/** Reads the folders from `initialize`: `workspaceFolders`, else the older `rootUri`. */
	setFrom(params: WorkspaceFolders): void {
		const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: basename(decodeURIComponent(params.rootUri)) }] : []);
		this.folders = folders.map(folder => ({ uri: folder.uri.replace(/\/?$/, '/'), name: folder.name }));
	}

	/** The paths of the folders that are on the file system (`file:` URIs). */
	get folderPaths(): string[] {
		return this.folders.flatMap(folder => {
			try {
				return folder.uri.startsWith('file:') ? [fileURLToPath(folder.uri)] : [];
			} catch {
				return [];
			}
		});
	}

	/** The first workspace folder's name; `undefined` without a workspace. */
	get repoName(): string | undefined {
		return this.folders[0]?.name;
	}

	nameOf(uri: string): string {
		const folder = this.folders.find(candidate => uri.startsWith(candidate.uri));
		const path = folder ? uri.slice(folder.uri.length) : uri.slice(uri.lastIndexOf('/') + 1);
		return safeDecode(path) || 'file';
	}
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
