// Generated system logs with many event types (Android, Linux syslog, supercomputer RAS,
// OpenStack, Hadoop-style), seeded, for the templates-first floor of the log compressor and the
// bench. Each log knows its templates: the generator draws every template's constant words from
// a vocabulary with no digits and no signal words, and fills its slots with values that always
// hold a digit or a slash, so a line's loose template (variable tokens as `<*>`) is exactly its
// template's. Template counts follow a Zipf law (a few templates make most lines, many occur once
// or twice), every template occurs at least once, and lines are interleaved at random.

export type SystemLogStyle = 'android' | 'syslog' | 'ras' | 'openstack' | 'hadoop';
export const SYSTEM_LOG_STYLES: readonly SystemLogStyle[] = ['android', 'syslog', 'ras', 'openstack', 'hadoop'];

export interface SystemLog {
  style: SystemLogStyle;
  text: string;
  lines: string[];
  /** Per line: the index of its template. */
  templateOf: number[];
  /** Per template: its message as the compressor's markers quote it (slots as `<*>`, no level). */
  quoted: string[];
  /** Per template: how many lines it has. */
  counts: number[];
}

/** A small seeded generator (mulberry32): the same seed gives the same log on every platform. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'accepted acquired active added address adjusted allocated applied assigned attached available backend balancer ' +
  'binding block bound bridge broadcast buffer cache callback channel checkpoint chunk claimed cleaned client closed ' +
  'cluster collected committed compacted completed component config connected consumer container context controller ' +
  'created cursor daemon delivered detached device dispatched domain draining driver dropped elected enabled endpoint ' +
  'engine entry evicted expired exported fetched finished flushed frame granted group handler handshake heartbeat ' +
  'host idle image indexed inode instance interface journal kernel launched lease leader listener loaded locked ' +
  'manager mapped master member memory merged message migrated module mounted network node notified opened ' +
  'partition peer pending pipeline policy pool port prepared primary probe process producer profile promoted ' +
  'protocol proxy published queue quota reader ready rebalanced received recovered region registered released ' +
  'reloaded removed renewed replica reported request reserved reset resolved resource restored resumed revoked ' +
  'rotated route scheduled scheduler segment selected sent server service session shard signal snapshot socket ' +
  'spawned stage started state stopped storage stream submitted suspended switched synced table task thread ' +
  'ticket token topic tracker transaction tunnel unit updated uploaded user validated vector verified volume ' +
  'waiting watcher window worker wrote zone'
).split(' ');

const TAGS = ['ActivityManager', 'WindowManager', 'PowerManager', 'Launcher', 'WifiService', 'audio_hw', 'SensorService', 'InputReader', 'PackageManager', 'Telephony'];
const PROGRAMS = ['sshd', 'kernel', 'systemd', 'cron', 'dhclient', 'ntpd', 'su', 'xinetd', 'logrotate', 'udevd'];
const RAS_COMPONENTS = ['KERNEL', 'APP', 'MMCS', 'LINKCARD', 'DISCOVERY', 'MONITOR'];
const OS_COMPONENTS = ['nova.compute.manager', 'nova.osapi_compute.wsgi.server', 'nova.virt.libvirt.driver', 'nova.scheduler.host_manager', 'nova.metadata.wsgi.server'];
const HADOOP_COMPONENTS = ['org.apache.hadoop.mapreduce.v2.app.MRAppMaster', 'org.apache.hadoop.yarn.event.AsyncDispatcher', 'org.apache.hadoop.ipc.Server', 'org.apache.hadoop.hdfs.DFSClient', 'org.apache.hadoop.mapred.TaskAttemptListenerImpl'];

type Slot = (r: () => number) => string;
const int = (r: () => number, n: number): number => Math.floor(r() * n);
const SLOTS: Slot[] = [
  (r) => String(int(r, 100_000)),
  (r) => `0x${int(r, 0xffffff).toString(16).padStart(6, '0')}`,
  (r) => `10.${int(r, 256)}.${int(r, 256)}.${int(r, 256)}`,
  (r) => `/var/lib/${WORDS[int(r, WORDS.length)]}/${int(r, 1000)}`,
  (r) => `${int(r, 5000)}ms`,
  (r) => `blk_${int(r, 1e9)}`,
  (r) => `job_${1445144423722 + int(r, 100)}_${String(int(r, 10_000)).padStart(4, '0')}`,
];

interface Template {
  /** Constant words and slots, in order. */
  parts: Array<string | Slot>;
  /** The source part (tag, program, component): constant per template. */
  source: number;
  level: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Renders one line of `style` at second `t` (from the log's start). */
function render(style: SystemLogStyle, t: number, tpl: Template, message: string, r: () => number): string {
  const h = Math.floor(t / 3600) % 24;
  const m = Math.floor(t / 60) % 60;
  const s = t % 60;
  const ms = pad(int(r, 1000), 3);
  switch (style) {
    case 'android':
      return `03-17 ${pad(h)}:${pad(m)}:${pad(s)}.${ms}  ${1000 + int(r, 9000)}  ${1000 + int(r, 9000)} ${'IDV'[tpl.level % 3]} ${TAGS[tpl.source % TAGS.length]}: ${message}`;
    case 'syslog':
      return `${MONTHS[5]} 14 ${pad(h)}:${pad(m)}:${pad(s)} combo ${PROGRAMS[tpl.source % PROGRAMS.length]}[${1000 + int(r, 30000)}]: ${message}`;
    case 'ras': {
      const epoch = 1117838570 + t;
      const node = `R${pad(int(r, 64))}-M${int(r, 2)}-N${int(r, 16)}-C:J${pad(int(r, 18))}-U${pad(int(r, 12))}`;
      return `- ${epoch} 2005.06.03 ${node} 2005-06-03-${pad(h)}.${pad(m)}.${pad(s)}.${ms}872 ${node} RAS ${RAS_COMPONENTS[tpl.source % RAS_COMPONENTS.length]} INFO ${message}`;
    }
    case 'openstack': {
      const req = `req-${int(r, 0xffffffff).toString(16).padStart(8, '0')}-5c48-4a2d-9e3b-${int(r, 0xffffff).toString(16).padStart(12, '0')}`;
      return `nova-compute.log.2017-05-16_13:55:31 2017-05-16 ${pad(h)}:${pad(m)}:${pad(s)}.${ms} ${2900 + int(r, 100)} ${['INFO', 'DEBUG'][tpl.level % 2]} ${OS_COMPONENTS[tpl.source % OS_COMPONENTS.length]} [${req} 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] ${message}`;
    }
    case 'hadoop':
      return `2015-10-18 ${pad(h)}:${pad(m)}:${pad(s)},${ms} ${['INFO', 'DEBUG'][tpl.level % 2]} [${['main', 'IPC Server handler 3 on 62270', 'AsyncDispatcher event handler'][tpl.source % 3]}] ${HADOOP_COMPONENTS[tpl.source % HADOOP_COMPONENTS.length]}: ${message}`;
  }
}

/**
 * A log of `lines` lines in `style` with `templates` distinct templates, from `seed`. The message
 * of each template starts with two constant words no other template of the log starts with.
 */
export function systemLog(style: SystemLogStyle, templates: number, lines: number, seed: number): SystemLog {
  const r = rng(seed);
  const tpls: Template[] = [];
  const starts = new Set<string>();
  while (tpls.length < templates) {
    const a = WORDS[int(r, WORDS.length)]!;
    const b = WORDS[int(r, WORDS.length)]!;
    if (a === b || starts.has(`${a} ${b}`)) continue;
    starts.add(`${a} ${b}`);
    const parts: Array<string | Slot> = [a, b];
    const more = 1 + int(r, 6);
    for (let k = 0; k < more; k++) parts.push(r() < 0.4 ? SLOTS[int(r, SLOTS.length)]! : WORDS[int(r, WORDS.length)]!);
    tpls.push({ parts, source: int(r, 10), level: int(r, 3) });
  }
  // Zipf counts, at least one line each.
  const weights = tpls.map((_, k) => 1 / Math.pow(k + 1, 1.2));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = tpls.map(() => 1);
  let left = lines - templates;
  const extra = weights.map((w) => Math.floor((w / total) * left));
  extra.forEach((e, k) => (counts[k]! += e));
  left -= extra.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0; k = (k + 1) % templates, left--) counts[k]!++;
  const templateOf: number[] = [];
  counts.forEach((c, k) => {
    for (let j = 0; j < c; j++) templateOf.push(k);
  });
  for (let k = templateOf.length - 1; k > 0; k--) {
    const j = int(r, k + 1);
    [templateOf[k], templateOf[j]] = [templateOf[j]!, templateOf[k]!];
  }
  let t = 0;
  const out = templateOf.map((k) => {
    t += int(r, 4);
    const tpl = tpls[k]!;
    const message = tpl.parts.map((p) => (typeof p === 'string' ? p : p(r))).join(' ');
    return render(style, t, tpl, message, r);
  });
  const quoted = tpls.map((tpl) => tpl.parts.map((p) => (typeof p === 'string' ? p : '<*>')).join(' '));
  return { style, text: out.join('\n') + '\n', lines: out, templateOf, quoted, counts };
}

/**
 * Which templates of `log` a compressed output shows: a template is visible when one of its lines
 * stands verbatim, or a marker quotes its message (a quote ending with it, after the line's source
 * part) followed by a count.
 */
export function visibleTemplates(log: SystemLog, output: string): boolean[] {
  const kept = new Set(output.split('\n'));
  const visible = log.quoted.map(() => false);
  log.lines.forEach((l, k) => {
    if (kept.has(l)) visible[log.templateOf[k]!] = true;
  });
  const quotes: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('[…') || !line.endsWith('…]')) continue;
    for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)" ×\d+/g)) quotes.push(m[1]!);
  }
  log.quoted.forEach((q, k) => {
    if (!visible[k]) visible[k] = quotes.some((x) => x === q || x.endsWith(` ${q}`));
  });
  return visible;
}
