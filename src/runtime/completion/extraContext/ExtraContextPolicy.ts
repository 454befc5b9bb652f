import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { compileGlob, matchesPathOrParent, type Glob } from './glob';

/** What decides which files may be extra context, besides the workspace folders. */
export interface ExtraContextPolicySettings {
	/** `bora.completion.extraContext.exclude`: globs relative to a workspace folder, secrets by default. */
	readonly exclude: readonly string[];
	/** The patterns of VS Code's `files.exclude` that are on (the client sends them). */
	readonly filesExclude: readonly string[];
}

/**
 * Which files may lend their text to another file's completion prompt (which may go to a remote
 * engine): only files inside a workspace folder, after symlinks are resolved, and none that an
 * exclude pattern matches, by the path as spelled or as resolved. Without a workspace folder no file
 * may. Paths here are absolute file-system paths.
 */
export class ExtraContextPolicy {
	private folders: readonly string[] = [];
	private realFolders: Promise<readonly string[]> = Promise.resolve([]);
	private globs: readonly Glob[] = [];

	/** The workspace folders' paths. */
	setFolders(folders: readonly string[]): void {
		this.folders = folders;
		this.realFolders = Promise.all(folders.map(folder => realpath(folder).catch(() => folder)));
	}

	configure({ exclude, filesExclude }: ExtraContextPolicySettings): void {
		this.globs = [...exclude, ...filesExclude].filter(pattern => pattern.trim().length > 0).map(compileGlob);
	}

	/** Whether `path` as spelled is inside a workspace folder and not excluded; symlinks are not looked at (see {@link allowsFile}). */
	allowsPath(path: string): boolean {
		return this.allowedIn(this.folders, path);
	}

	/**
	 * Whether `path` may be read: {@link allowsPath}, and the file it resolves to (through any
	 * symlink, of the file or of a folder above it) is inside a workspace folder's real path and not
	 * excluded either. A file not on disk (an open document never saved) is judged by where its
	 * folder resolves to.
	 */
	async allowsFile(path: string): Promise<boolean> {
		if (!this.allowsPath(path)) {
			return false;
		}
		try {
			const [real, realFolders] = await Promise.all([realPathOf(path), this.realFolders]);
			return this.allowedIn(realFolders, real);
		} catch {
			return false;
		}
	}

	/** Inside at least one of `folders`, and excluded relative to none of those it is in (folders may nest). */
	private allowedIn(folders: readonly string[], path: string): boolean {
		const insides = folders.map(folder => relative(folder, path))
			.filter(inside => inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
		return insides.length > 0 && !insides.some(inside => matchesPathOrParent(this.globs, inside.split(sep).join('/')));
	}
}

/** `realpath`, or for a path that does not exist, the real path of its nearest existing folder with the rest joined on. */
async function realPathOf(path: string): Promise<string> {
	try {
		return await realpath(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const parent = dirname(path);
		if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === path) {
			throw error;
		}
		return join(await realPathOf(parent), basename(path));
	}
}
