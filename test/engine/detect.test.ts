// Detection: what kind of content a block is, identically in both engines. Logs of many systems,
// search hits and diffs are recognised; source code and prose are never taken for logs (they
// must pass through untouched).
import { describe, expect, it } from 'vitest';
import type { BlockKind, BlockOptions } from '../../src/engine/types.js';
import { engines } from '../support/engines.js';

const probe: BlockOptions = { encoding: 'o200k_base', query: '', minTokens: 1_000_000, maxBlockTokens: 4000 };

/** The kind each engine detects (blocks below minTokens are still classified). */
function kinds(content: string): BlockKind[] {
  return engines().map((e) => e.compressBlocks([{ content, options: probe }])[0]!.kind);
}

function expectKind(content: string, kind: BlockKind): void {
  for (const k of kinds(content)) expect(k, content.slice(0, 80)).toBe(kind);
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

const LOGS: Record<string, string> = {
  'GitHub Actions': lines(
    '2024-03-01T10:00:00.1234567Z ##[group]Run npm test',
    '2024-03-01T10:00:00.1235567Z npm test',
    '2024-03-01T10:00:01.0000000Z ##[endgroup]',
    '2024-03-01T10:00:05.0000000Z > app@1.0.0 test',
    '2024-03-01T10:00:09.0000000Z ##[error]Process completed with exit code 1.',
  ),
  Maven: lines(
    '[INFO] Scanning for projects...',
    '[INFO] --- maven-surefire-plugin:2.22.2:test (default-test) @ app ---',
    '[INFO] Running com.example.AppTest',
    '[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0',
    '[INFO] BUILD FAILURE',
  ),
  Gradle: lines('> Task :compileJava', '> Task :processResources NO-SOURCE', '> Task :test FAILED', 'BUILD FAILED in 12s', '4 actionable tasks: 4 executed'),
  npm: lines('npm WARN deprecated request@2.88.2: request has been deprecated', 'npm ERR! code ELIFECYCLE', 'npm ERR! errno 1', 'npm ERR! app@1.0.0 build: `tsc`'),
  cargo: lines(
    '   Compiling serde v1.0.193',
    '   Compiling app v0.1.0 (/home/u/app)',
    'error[E0308]: mismatched types',
    '  --> src/main.rs:4:18',
    'error: could not compile `app` (bin "app") due to 1 previous error',
  ),
  pytest: lines(
    '============================= test session starts ==============================',
    'platform linux -- Python 3.11.4, pytest-7.4.0, pluggy-1.2.0',
    'collected 3 items',
    'tests/test_math.py .F.                                                   [100%]',
    '=================================== FAILURES ===================================',
    '    def test_add():',
    '>       assert add(1, 2) == 4',
    'E       assert 3 == 4',
    'FAILED tests/test_math.py::test_add - assert 3 == 4',
    '========================= 1 failed, 2 passed in 0.05s ==========================',
  ),
  'go test': lines('=== RUN   TestParse', '--- PASS: TestParse (0.00s)', '=== RUN   TestLoad', '--- FAIL: TestLoad (0.01s)', '    load_test.go:12: want 3, got 4', 'FAIL', 'FAIL\texample.com/app\t0.012s'),
  HDFS: lines(
    '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating',
    '081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_-6952295868487656571 terminating',
    '081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added',
  ),
  BGL: lines(
    '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected',
    '- 1117838573 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.53.276129 R02-M1-N0-C:J12-U11 RAS KERNEL INFO 3 double-hummer alignment exceptions',
    'APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix on control stream',
    '- 1117838978 2005.06.03 R27-M1-N4-C:J03-U11 2005-06-03-15.49.38.026704 R27-M1-N4-C:J03-U11 RAS KERNEL INFO generating core.862',
  ),
  'Thunderbird (label, epoch, date and host before a syslog stamp)': lines(
    '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root',
    '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD (run-parts /etc/cron.hourly)',
    '- 1131566488 2005.11.09 tbird-sm1 Nov 9 12:01:28 src@tbird-sm1 ib_sm.x[24904]: [ib_sm_sweep.c:1455]: No topology change',
    '- 1131566492 2005.11.09 cn615 Nov 9 12:01:32 cn615/cn615 ntpd[18517]: synchronized to 10.100.16.250, stratum 3',
  ),
  'OpenStack (file name before the stamp)': lines(
    'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 nova.osapi_compute.wsgi.server "GET /v2/servers/detail HTTP/1.1" status: 200',
    'nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.500 2931 nova.compute.manager [instance: b9000564] VM Started (Lifecycle Event)',
    'nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.562 2931 nova.compute.manager [instance: b9000564] During sync_power_state the instance has a pending task',
  ),
  Apache: lines(
    '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6',
    '[Sun Dec 04 04:51:08 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10',
  ),
  syslog: lines(
    'Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.example.com failed',
    'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
    'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
  ),
  Spark: lines(
    '17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]',
    '17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn,curi',
    '17/06/09 20:10:41 INFO spark.SecurityManager: Changing modify acls to: yarn,curi',
  ),
  Zookeeper: lines(
    '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200',
    '2015-07-29 19:04:12,394 - WARN  [RecvWorker:188978561024:QuorumCnxManager$RecvWorker@762] - Connection broken for id 188978561024',
  ),
  Android: lines(
    '03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992}}',
    '03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404, flags=0x1, tag="View Lock", name=com.android.systemui',
  ),
  'Kubernetes (glog)': lines(
    'I0412 10:00:00.000000       1 controller.go:120] Starting controller',
    'E0412 10:00:01.000000       1 reflector.go:138] Failed to watch *v1.Pod: connection refused',
  ),
  logfmt: lines('time=2024-01-01T00:00:00Z level=info msg="server started" port=8080', 'time=2024-01-01T00:00:05Z level=error msg="db unreachable" retry=3'),
  'JSON lines': lines('{"ts":"2024-01-01T00:00:00Z","level":"info","msg":"start"}', '{"ts":"2024-01-01T00:00:01Z","level":"warn","msg":"slow query"}'),
  'Python traceback': lines(
    'Traceback (most recent call last):',
    '  File "/app/main.py", line 10, in <module>',
    '    main()',
    '  File "/app/main.py", line 6, in main',
    '    return 1 / 0',
    'ZeroDivisionError: division by zero',
  ),
  'Java stack trace': lines(
    'Exception in thread "main" java.lang.IllegalStateException: boom',
    '\tat com.example.App.run(App.java:42)',
    '\tat com.example.App.main(App.java:10)',
    'Caused by: java.io.IOException: disk full',
    '\t... 2 more',
  ),
  'nginx access log': lines(
    '10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /api/items?page=2 HTTP/1.1" 200 2326 "-" "curl/8.1"',
    '10.0.0.2 - - [10/Oct/2023:13:55:37 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "python-requests/2.31"',
    '10.0.0.1 - - [10/Oct/2023:13:55:39 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.27"',
  ),
  'Windows CBS': lines(
    '2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\cbscore.dll',
    '2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize (wcp.dll version 0.0.0.6) called',
    '2016-09-28 04:30:31, Warning               CBS    Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]',
  ),
  'pip install': lines(
    'Collecting requests==2.31.0',
    '  Downloading requests-2.31.0-py3-none-any.whl (62 kB)',
    'Requirement already satisfied: idna<4,>=2.5 in /usr/lib/python3/dist-packages (from requests) (3.3)',
    'Installing collected packages: requests',
    'Successfully installed requests-2.31.0',
  ),
  'npm --loglevel silly': lines(
    'npm verbose cli /usr/local/bin/node /usr/local/bin/npm',
    'npm info using npm@10.2.0',
    'npm silly fetch manifest left-pad@^1.3.0',
    'npm http fetch GET 200 https://registry.example.org/left-pad 41ms (cache miss)',
    'npm silly placeDep ROOT left-pad@1.3.0 OK for: app@1.0.0 want: ^1.3.0',
    'npm timing reify:loadTrees Completed in 212ms',
    '',
    'added 1 package in 1s',
  ),
  'cargo build -v (right-aligned status verbs)': lines(
    '       Fresh unicode-ident v1.0.12',
    '       Fresh proc-macro2 v1.0.78',
    '       Fresh quote v1.0.35',
    '       Fresh syn v2.0.48',
    '       Dirty app v0.1.0 (/home/u/app): the file `src/main.rs` has changed (1700000000.1s, 2s after last build at 1699999998.1s)',
    '   Compiling app v0.1.0 (/home/u/app)',
    '    Finished `dev` profile [unoptimized + debuginfo] target(s) in 1.20s',
  ),
  'rustc diagnostics': lines(
    'error[E0308]: mismatched types',
    ' --> src/main.rs:5:18',
    '  |',
    '5 |     let n: i32 = "five";',
    '  |            ---   ^^^^^^ expected `i32`, found `&str`',
    '  |            |',
    '  |            expected due to this',
    '',
    'warning: unused variable: `x`',
    ' --> src/lib.rs:2:9',
    '  |',
    '2 |     let x = 1;',
    '  |         ^ help: if this is intentional, prefix it with an underscore: `_x`',
    '  = note: `#[warn(unused_variables)]` on by default',
  ),
  'gcc diagnostics': lines(
    'util.c: In function ‘parse’:',
    'util.c:14:9: error: ‘len’ undeclared (first use in this function)',
    '   14 |     if (len > 0) {',
    '      |         ^~~',
    'util.c:14:9: note: each undeclared identifier is reported only once',
    'util.c:20:5: warning: implicit declaration of function ‘emit’ [-Wimplicit-function-declaration]',
    '   20 |     emit(buf);',
    '      |     ^~~~',
  ),
  'tsc diagnostics': lines(
    "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    "src/b.ts(10,1): error TS2304: Cannot find name 'foo'.",
    'src/c.ts:4:12 - error TS2339: Property \'x\' does not exist on type \'{}\'.',
  ),
  'mypy (diagnostics, not search hits)': lines(
    'app/models.py:12: error: Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]',
    'app/models.py:30: note: See https://mypy.readthedocs.io for more info',
    'app/views.py:7: error: Name "reqest" is not defined  [name-defined]',
    'Found 2 errors in 2 files (checked 14 source files)',
  ),
};

const CODE: Record<string, string> = {
  Python: lines('import os', '', 'class Loader:', '    def __init__(self, path):', '        self.path = path', '', '    def load(self):', '        with open(self.path) as f:', '            return f.read()'),
  TypeScript: lines("import { readFile } from 'node:fs/promises';", '', 'export async function load(path: string): Promise<string> {', "  const text = await readFile(path, 'utf8');", '  if (text.length === 0) throw new Error(`empty: ${path}`);', '  return text;', '}'),
  Rust: lines('use std::fs;', '', 'pub fn load(path: &str) -> std::io::Result<String> {', '    let text = fs::read_to_string(path)?;', '    Ok(text)', '}'),
  Go: lines('package main', '', 'import "fmt"', '', 'func main() {', '\tif err := run(); err != nil {', '\t\tfmt.Println("error:", err)', '\t}', '}'),
  Java: lines('package com.example;', '', 'public class App {', '    public static void main(String[] args) {', '        System.out.println("ERROR: not really");', '    }', '}'),
  C: lines('#include <stdio.h>', '', 'int main(void) {', '    fprintf(stderr, "error: %d\\n", 1);', '    return 1;', '}'),
  'numbered editor view': lines('[File: /repo/src/app.py (120 lines total)]', '1:import logging', '2:', '3:log = logging.getLogger(__name__)', '4:', '5:def run():', '6:    log.error("failed")', '7:    return 1'),
};

const PROSE: Record<string, string> = {
  README: lines(
    '# Loader',
    '',
    'The loader reads configuration files and reports an error when a file is missing.',
    'Warning: the format may change before version 1.0 is released.',
    '',
    'Run the tests before sending a pull request; failures are reported in the summary.',
  ),
  email: lines('Hi team,', '', 'The deploy failed yesterday because the disk was full. I cleaned it up and it works again.', '', 'Thanks,', 'Sam'),
  'indented notes and a table': lines(
    'Release notes',
    '',
    '    Fixed the crash on start in 2.1.0 when no config exists.',
    '    Added the --quiet flag in 2.2.0 for scripted runs.',
    '    Moved the cache to ~/.cache/app in 2.3.0.',
    '',
    '| version | date |',
    '| ------- | ---- |',
    '| 2.3.0 | 2024-02-01 |',
  ),
  'a changelog with dates': lines(
    '## Changes',
    '',
    'Released 2024-02-01 with the new cache layout.',
    'Since 2024-01-15 the loader reads TOML as well.',
    'On Mon Jan 8 the mirror moved to a new host.',
    'Dropped Node 16 support on 2023-12-20.',
  ),
  'sentences that start with a level word': lines('The error is in the second step, not the first.', 'The info box lists 3 options.', 'The debug build is slower.', 'That is all.'),
};

describe('detect', () => {
  for (const [name, text] of Object.entries(LOGS)) it(`recognises ${name} output as a log`, () => expectKind(text, 'log'));
  for (const [name, text] of Object.entries(CODE)) it(`leaves ${name} as code`, () => expectKind(text, 'code'));
  for (const [name, text] of Object.entries(PROSE)) it(`leaves prose (${name}) as text`, () => expectKind(text, 'text'));

  it('recognises grep and ripgrep hits', () => {
    expectKind(lines('src/app.ts:12:  const x = load();', 'src/app.ts:40:  load(y);', 'lib/load.ts:3:export function load() {'), 'search');
    expectKind(lines('src/app.ts-11-// load it', 'src/app.ts:12:  const x = load();', 'src/app.ts-13-', '--', 'test/app.test.ts:7:load();'), 'search');
    expectKind(lines('C:\\repo\\main.c:10:5:int main(void)', 'C:\\repo\\util.c:3:1:static int x;'), 'search');
    // ripgrep --heading: paths on their own lines, rows without them, a blank line between files.
    expectKind(lines('src/app.ts', '11-// load it', '12:  const x = load();', '13-', '--', '40:  load(y);', '', 'lib/load.ts', '3:export function load() {'), 'search');
    expectKind(lines('src/app.ts', '12:  const x = load();', '40:  load(y);', '', 'lib/load.ts', '3:export function load() {'), 'search');
  });

  it('does not take a numbered listing of one file for ripgrep --heading hits', () => {
    expectKind(lines('src/load.ts', '1:export function load() {', '2:  const x = read();', '3:  return parse(x);', '4:}'), 'code');
  });

  it('recognises unified and git diffs, with or without a mail preamble', () => {
    const git = lines('diff --git a/x.py b/x.py', 'index 1a2b3c4..5d6e7f8 100644', '--- a/x.py', '+++ b/x.py', '@@ -1,3 +1,3 @@', ' a = 1', '-b = 2', '+b = 3', ' c = 4');
    expectKind(git, 'diff');
    expectKind(lines('--- old/x.c\t2024-01-01', '+++ new/x.c\t2024-01-02', '@@ -10,2 +10,2 @@', '-int x;', '+long x;', ' int y;'), 'diff');
    const mail = lines('From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001', 'From: A Developer <a@example.com>', 'Subject: [PATCH] Fix x', '', 'Long explanation of the change.', '---', ' x.py | 2 +-', ' 1 file changed, 1 insertion(+), 1 deletion(-)', '') + git;
    expectKind(mail, 'diff');
  });

  it('does not take a log that quotes a diff line for a diff, or timestamps for search hits', () => {
    expectKind(lines('2024-01-01T00:00:00Z --- a/x', '2024-01-01T00:00:01Z +++ b/x', '2024-01-01T00:00:02Z @@ -1 +1 @@', '2024-01-01T00:00:03Z INFO done'), 'log');
    expectKind(lines('12:30:01 INFO a', '12:30:02 INFO b', '12:30:03 WARN c'), 'log');
  });

  it('classifies empty, tiny and binary-looking blocks without failing', () => {
    for (const text of ['', '\n', 'x', '\u0000\u0000\u0001', '\ud800 lone surrogate', '\r\r\r']) expect(new Set(kinds(text)).size).toBe(1);
  });
});
