// Playwright + Galata configuration of the ascope_nb browser tests.
//
// JupyterLab is started by Playwright (webServer) on 127.0.0.1:$ASCOPE_UI_PORT, token-less,
// in a temp root dir; Chromium is Debian's /usr/bin/chromium (no browser downloads).
// Screenshots, traces and the HTML report go to test-artifacts/ui/ (or $ASCOPE_UI_ARTIFACTS).
//
//   cd tests/ui && ASCOPE_UI_PORT=8911 npx playwright test
import * as path from 'path';

const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = Number(process.env.ASCOPE_UI_PORT || '8888');
const python = process.env.ASCOPE_UI_PYTHON || 'python';
const chromium = process.env.ASCOPE_UI_CHROMIUM || '/usr/bin/chromium';
export const artifacts =
  process.env.ASCOPE_UI_ARTIFACTS || path.resolve(__dirname, '..', '..', 'test-artifacts', 'ui');

module.exports = {
  ...baseConfig,
  testDir: './specs',
  outputDir: path.join(artifacts, 'results'),
  timeout: 300_000,
  expect: { timeout: 60_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: path.join(artifacts, 'report') }],
    ['json', { outputFile: path.join(artifacts, 'report.json') }]
  ],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    video: 'off',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 60_000,
    navigationTimeout: 120_000,
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `${python} -m jupyter lab --config jupyter_server_test_config.py`,
    url: `http://127.0.0.1:${port}/lab`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe'
  }
};
