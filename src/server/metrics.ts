// The server's counters and histograms, written in the Prometheus text exposition format
// (version 0.0.4) for `GET /metrics`. A handful of series, so a small registry of our own rather
// than a client library.

type Labels = Readonly<Record<string, string>>;

const labelText = (labels: Labels): string => {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
};

/** Adds `extra` to a label set text (`{a="1"}` + `le="0.1"`). */
const withLabel = (text: string, extra: string): string => (text === '' ? `{${extra}}` : `${text.slice(0, -1)},${extra}}`);

const number = (n: number): string => (n === Infinity ? '+Inf' : Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));

interface Series {
  render(): string[];
}

export class Counter implements Series {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: 'counter' | 'gauge' = 'counter',
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    const keys = [...this.values.keys()].sort();
    if (keys.length === 0 && this.type === 'gauge') lines.push(`${this.name} 0`);
    for (const k of keys) lines.push(`${this.name}${k} ${number(this.values.get(k)!)}`);
    return lines;
  }
}

export class Histogram implements Series {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    this.bounds.forEach((b, i) => {
      if (value <= b) s.buckets[i]!++;
    });
    s.sum += value;
    s.count++;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const key of [...this.series.keys()].sort()) {
      const s = this.series.get(key)!;
      this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket${withLabel(key, `le="${number(b)}"`)} ${s.buckets[i]}`));
      lines.push(`${this.name}_bucket${withLabel(key, 'le="+Inf"')} ${s.count}`);
      lines.push(`${this.name}_sum${key} ${number(s.sum)}`, `${this.name}_count${key} ${s.count}`);
    }
    return lines;
  }
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Every series the server keeps. */
export class ServerMetrics {
  readonly requests = new Counter('headroom_requests_total', 'HTTP requests answered, by route and status.');
  readonly inFlight = new Counter('headroom_requests_in_flight', 'Requests being answered now.', 'gauge');
  readonly tokensBefore = new Counter('headroom_tokens_before_total', 'Tokens of compressed blocks before compression, by kind.');
  readonly tokensAfter = new Counter('headroom_tokens_after_total', 'Tokens of compressed blocks after compression, by kind.');
  readonly requestTokensBefore = new Counter('headroom_request_tokens_before_total', 'Tokens of whole conversations before compression, by route.');
  readonly requestTokensAfter = new Counter('headroom_request_tokens_after_total', 'Tokens of whole conversations after compression, by route.');
  readonly compression = new Histogram('headroom_compression_seconds', 'Time spent compressing a request.', SECONDS);
  readonly upstream = new Histogram('headroom_upstream_seconds', 'Time from sending a request upstream to its response headers.', SECONDS);
  readonly retrievalRounds = new Counter('headroom_retrieval_rounds_total', 'headroom_retrieve calls answered for proxied requests.');
  readonly failures = new Counter('headroom_failures_total', 'Failures: blocks left untouched (timeout, error), requests sent uncompressed (compress_error), upstream unreachable (upstream).');

  render(): string {
    const series: Series[] = [
      this.requests,
      this.inFlight,
      this.tokensBefore,
      this.tokensAfter,
      this.requestTokensBefore,
      this.requestTokensAfter,
      this.compression,
      this.upstream,
      this.retrievalRounds,
      this.failures,
    ];
    const rss = new Counter('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge');
    rss.inc({}, process.memoryUsage.rss());
    return [...series, rss].flatMap((s) => s.render()).join('\n') + '\n';
  }
}
