// Timing and progress helpers shared by the bench sections.

/** Median milliseconds of `fn` over repeated runs within roughly `budgetMs` (at least 3 runs). */
export function measure(fn: () => void, budgetMs: number): number {
  fn(); // warm up caches and JIT
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 1000)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** A one-line progress bar on stderr (the report goes to stdout). */
export class Progress {
  private done = 0;
  constructor(private readonly total: number) {}

  tick(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${label.slice(0, 50).padEnd(50)}`);
  }

  finish(): void {
    process.stderr.write('\n');
  }
}
