import { fakeIo } from '../../../test/support/fake-io';
import { resolveConfig } from './config';

const PROFILE = '/home/test/.config/aitbc/config.json';
const profiles = (document: unknown) => ({ [PROFILE]: JSON.stringify(document) });

async function usage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toHaveProperty('exitCode', 2);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('resolveConfig', () => {
  it('defaults to the local coordinator and no key', async () => {
    await expect(resolveConfig({}, {}, fakeIo(), 'client')).resolves.toEqual({
      url: 'http://127.0.0.1:18000',
      apiKey: null,
      keySource: null,
      account: null,
      json: false,
    });
  });

  it('takes each setting from the option, then the environment, then the profile', async () => {
    const io = fakeIo({
      files: profiles({
        default_profile: 'prod',
        profiles: { prod: { url: 'https://prod.example/', api_key: 'profile-key', account: 'client:alice' } },
      }),
    });
    await expect(resolveConfig({}, {}, io, 'client')).resolves.toMatchObject({
      url: 'https://prod.example',
      apiKey: 'profile-key',
      keySource: `profile "prod" of ${PROFILE}`,
      account: 'client:alice',
    });
    await expect(
      resolveConfig(
        {},
        { AITBC_URL: 'http://env:1', CLIENT_KEY: 'seed-key', AITBC_ACCOUNT: 'client:bob' },
        io,
        'client',
      ),
    ).resolves.toMatchObject({
      url: 'http://env:1',
      apiKey: 'seed-key',
      keySource: 'CLIENT_KEY',
      account: 'client:bob',
    });
    await expect(
      resolveConfig(
        { url: 'http://flag:2', 'api-key': 'flag-key', json: true },
        { AITBC_URL: 'http://env:1', AITBC_API_KEY: 'env-key', CLIENT_KEY: 'seed-key' },
        io,
        'client',
      ),
    ).resolves.toMatchObject({ url: 'http://flag:2', apiKey: 'flag-key', keySource: '--api-key', json: true });
    await expect(
      resolveConfig({}, { AITBC_API_KEY: 'env-key', CLIENT_KEY: 'seed-key' }, io, 'client'),
    ).resolves.toMatchObject({ apiKey: 'env-key', keySource: 'AITBC_API_KEY' });
  });

  it('picks a profile by --profile or AITBC_PROFILE, and AITBC_CONFIG names the file', async () => {
    const io = fakeIo({
      files: {
        '/etc/aitbc.json': JSON.stringify({ profiles: { a: { url: 'http://a:1' }, b: { url: 'http://b:1' } } }),
      },
    });
    const env = { AITBC_CONFIG: '/etc/aitbc.json' };
    await expect(resolveConfig({ profile: 'b' }, { ...env, AITBC_PROFILE: 'a' }, io, 'client')).resolves.toMatchObject({
      url: 'http://b:1',
    });
    await expect(resolveConfig({}, { ...env, AITBC_PROFILE: 'a' }, io, 'client')).resolves.toMatchObject({
      url: 'http://a:1',
    });
    // neither asked for nor a "default" profile: the file lends nothing
    await expect(resolveConfig({}, env, io, 'client')).resolves.toMatchObject({ url: 'http://127.0.0.1:18000' });
  });

  it.each<[string, Record<string, string>, Record<string, string>, string]>([
    [
      'a missing profile',
      profiles({ profiles: { a: {} } }),
      { profile: 'b' },
      `there is no profile "b" in ${PROFILE} (profiles: a)`,
    ],
    ['a missing file asked for', {}, { profile: 'a' }, `the config file ${PROFILE} does not exist`],
    ['bad JSON', { [PROFILE]: '{' }, {}, `the config file ${PROFILE} is not valid JSON`],
    ['no profiles object', profiles({ url: 'x' }), {}, `the config file ${PROFILE} needs a "profiles" object`],
    [
      'an unknown setting',
      profiles({ profiles: { default: { apikey: 'k' } } }),
      {},
      `profile "default" of ${PROFILE}: unknown setting "apikey" (known: url, api_key, account)`,
    ],
    [
      'a non-string setting',
      profiles({ profiles: { default: { url: 5 } } }),
      {},
      `profile "default" of ${PROFILE}: url must be a string`,
    ],
    [
      'a bad URL',
      profiles({ profiles: { default: { url: 'ftp://user:pw@x' } } }),
      {},
      'the coordinator URL must be an http:// or https:// URL (got "ftp://***@x")',
    ],
  ])('refuses %s', async (_case, files, values, message) => {
    expect(await usage(resolveConfig(values, {}, fakeIo({ files }), 'client'))).toContain(message);
  });

  it('warns when a profile file holding a key is readable by others', async () => {
    const io = fakeIo({ files: profiles({ profiles: { default: { api_key: 'k' } } }), modes: { [PROFILE]: 0o100644 } });
    await resolveConfig({}, {}, io, 'client');
    expect(io.stderrText()).toBe(
      `aitbc: warning: ${PROFILE} holds an API key and others can read it (chmod 600 ${PROFILE})\n`,
    );
  });

  it("borrows the local dev key of the command's role, only for a loopback coordinator", async () => {
    const devKeys = {
      '/work/project/.aitbc/dev-keys.json': JSON.stringify({ client: 'ck_1', admin: 'ak_1', miner: 'mk_1' }),
    };
    const io = fakeIo({ files: devKeys });
    await expect(resolveConfig({}, {}, io, 'client')).resolves.toMatchObject({
      apiKey: 'ck_1',
      keySource: 'the dev key file /work/project/.aitbc/dev-keys.json',
      account: 'client:dev-client',
    });
    await expect(resolveConfig({}, {}, io, 'admin')).resolves.toMatchObject({ apiKey: 'ak_1' });
    await expect(resolveConfig({ url: 'http://localhost:18000' }, {}, io, 'admin')).resolves.toMatchObject({
      apiKey: 'ak_1',
    });
    await expect(resolveConfig({ url: 'https://prod.example' }, {}, io, 'client')).resolves.toMatchObject({
      apiKey: null,
    });
    await expect(resolveConfig({}, {}, io, 'none')).resolves.toMatchObject({ apiKey: null });
    await expect(resolveConfig({}, { AITBC_API_KEY: 'mine' }, io, 'client')).resolves.toMatchObject({ apiKey: 'mine' });
  });
});
