/**
 * The environment Coder's provisioner gives terraform in these tests: no CODER_* of
 * the test process, the provider mirror's CLI config, and DevDB's admin URL.
 */
export function provisionerEnv(input: {
  home: string;
  cliConfigFile: string;
  adminUrl: string;
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: input.home,
    TF_CLI_CONFIG_FILE: input.cliConfigFile,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    DEVDB_ADMIN_URL: input.adminUrl,
  };
}
