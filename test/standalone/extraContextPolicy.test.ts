import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileGlob, matchesPathOrParent } from '../../src/runtime/completion/extraContext/glob';
import { ExtraContextPolicy } from '../../src/runtime/completion/extraContext/ExtraContextPolicy';
import { settingsSchema } from '../../src/shared/settings';

function matches(pattern: string, path: string): boolean {
	return compileGlob(pattern).matches(path);
}

describe('extra-context globs', () => {
	it('* and ? stay within a segment; ** is any number of whole segments, none included', () => {
		assert.ok(matches('*.pem', 'cert.pem'));
		assert.ok(!matches('*.pem', 'keys/cert.pem'));
		assert.ok(matches('**/*.pem', 'cert.pem'));
		assert.ok(matches('**/*.pem', 'a/b/cert.pem'));
		assert.ok(!matches('**/*.pem', 'a/cert.pem.txt'));
		assert.ok(matches('a/**/b', 'a/b'));
		assert.ok(matches('a/**/b', 'a/x/y/b'));
		assert.ok(!matches('a/**/b', 'ab'));
		assert.ok(matches('a/**', 'a/x/y'));
		assert.ok(matches('file?.js', 'file1.js'));
		assert.ok(!matches('file?.js', 'file/.js'));
		assert.ok(!matches('file?.js', 'file12.js'));
		assert.ok(matches('a**b', 'axxb'), 'inside a segment ** is *');
		assert.ok(!matches('a**b', 'a/b'));
	});

	it('{a,b} alternatives nest and hold globs; [] is a set, [!] and [^] its complement', () => {
		assert.ok(matches('**/*.{key,pem}', 'x/y.key'));
		assert.ok(matches('**/*.{key,pem}', 'y.pem'));
		assert.ok(!matches('**/*.{key,pem}', 'y.pub'));
		assert.ok(matches('{src/**/*.ts,{a,b}.js}', 'src/x/y.ts'));
		assert.ok(matches('{src/**/*.ts,{a,b}.js}', 'b.js'));
		assert.ok(!matches('{src/**/*.ts,{a,b}.js}', 'c.js'));
		assert.ok(matches('id_[a-z]*', 'id_rsa'));
		assert.ok(!matches('id_[a-z]*', 'id_1'));
		assert.ok(matches('x[!a].js', 'xb.js'));
		assert.ok(matches('x[^a].js', 'xb.js'));
		assert.ok(!matches('x[!a].js', 'xa.js'));
		assert.ok(!matches('x[!a]y', 'x/y'), 'a complement never matches the separator');
		assert.ok(matches('[]].js', '].js'));
	});

	it('everything else is literal, an unclosed [ or { included; case is ignored', () => {
		assert.ok(matches('a.b+(c)|$^', 'a.b+(c)|$^'));
		assert.ok(!matches('a.b', 'axb'));
		assert.ok(matches('a[b', 'a[b'));
		assert.ok(matches('a{b', 'a{b'));
		assert.ok(matches('**/.ENV*', 'sub/.env.local'));
		assert.ok(matches('**/\\*.js', 'x/\\a.js'), 'a backslash is a literal character, not an escape');
	});

	it('a pattern that names a folder covers what is inside it', () => {
		const globs = ['**/node_modules', 'secrets'].map(compileGlob);
		assert.ok(matchesPathOrParent(globs, 'a/node_modules/x/y.js'));
		assert.ok(matchesPathOrParent(globs, 'secrets/token.txt'));
		assert.ok(!matchesPathOrParent(globs, 'src/secrets.js'));
		assert.ok(!matchesPathOrParent(globs, 'a/secrets/token.txt'), 'a pattern without **/ is relative to the folder');
	});

	it('the default exclude list matches the usual secrets and not ordinary code', () => {
		const globs = settingsSchema.extraContextExclude.default.map(compileGlob);
		for (const secret of ['.env', '.env.local', 'app/.env.production', 'cert.pem', 'deploy/server.key', 'id_rsa', 'home/.ssh/id_ed25519.pub', '.env/inside.js']) {
			assert.ok(matchesPathOrParent(globs, secret), secret);
		}
		for (const code of ['src/env.ts', 'environment.js', 'keys/index.js', 'src/monkey.ts', 'pem.md', 'src/identity.ts']) {
			assert.ok(!matchesPathOrParent(globs, code), code);
		}
	});
});

describe('extra-context policy', () => {
	let root: string;
	let workspace: string;
	let outside: string;
	const policy = new ExtraContextPolicy();
	before(async () => {
		root = await realpath(await mkdtemp(join(tmpdir(), 'bora-policy-')));
		workspace = join(root, 'ws');
		outside = join(root, 'outside');
		await mkdir(join(workspace, 'src'), { recursive: true });
		await mkdir(outside);
		await writeFile(join(workspace, 'src', 'util.js'), 'export const a = 1;\n');
		await writeFile(join(workspace, 'src', '.env'), 'TOKEN=x\n');
		await writeFile(join(outside, 'lib.js'), 'export const b = 2;\n');
		await symlink(join(outside, 'lib.js'), join(workspace, 'src', 'linked.js'));
		await symlink(outside, join(workspace, 'linkedFolder'));
		await symlink(join(workspace, 'src', '.env'), join(workspace, 'src', 'config.js'));
		policy.setFolders([workspace]);
		policy.configure({ exclude: settingsSchema.extraContextExclude.default, filesExclude: ['**/generated'] });
	});
	after(() => rm(root, { recursive: true, force: true }));

	it('allows a file of the workspace; refuses one outside, a secret, a files.exclude match, and the folder itself', async () => {
		assert.equal(await policy.allowsFile(join(workspace, 'src', 'util.js')), true);
		assert.equal(await policy.allowsFile(join(outside, 'lib.js')), false);
		assert.equal(await policy.allowsFile(join(workspace, '..', 'outside', 'lib.js')), false);
		assert.equal(await policy.allowsFile(join(workspace, 'src', '.env')), false);
		assert.equal(policy.allowsPath(join(workspace, 'generated', 'types.js')), false);
		assert.equal(policy.allowsPath(workspace), false);
		assert.equal(policy.allowsPath(`${workspace}-sibling/a.js`), false, 'a folder whose name starts like the workspace is not inside it');
	});

	it('resolves symlinks: one inside that leads outside, or to a secret, is refused; an unsaved file is judged by its folder', async () => {
		assert.equal(policy.allowsPath(join(workspace, 'src', 'linked.js')), true, 'as spelled');
		assert.equal(await policy.allowsFile(join(workspace, 'src', 'linked.js')), false);
		assert.equal(await policy.allowsFile(join(workspace, 'linkedFolder', 'lib.js')), false);
		assert.equal(await policy.allowsFile(join(workspace, 'linkedFolder', 'unsaved.js')), false);
		assert.equal(await policy.allowsFile(join(workspace, 'src', 'config.js')), false);
		assert.equal(await policy.allowsFile(join(workspace, 'src', 'unsaved.js')), true);
	});

	it('without a workspace folder no file is allowed; an empty exclude list allows secrets inside one', async () => {
		const none = new ExtraContextPolicy();
		none.configure({ exclude: [], filesExclude: [] });
		assert.equal(await none.allowsFile(join(workspace, 'src', 'util.js')), false);
		none.setFolders([workspace]);
		assert.equal(await none.allowsFile(join(workspace, 'src', '.env')), true);
	});
});
