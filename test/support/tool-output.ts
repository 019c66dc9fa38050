// Deterministic tool output for tests that must run without the corpus: a service log with a
// failure in it, and an API's JSON records with a few server errors.

/** A service log of `lines` lines: repetitive INFO, a few WARN, one ERROR with its stack trace. */
export function serviceLog(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = `2026-11-24T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
    if (i === Math.floor(lines * 0.7)) {
      out.push(`${t} ERROR payment-worker: charge failed for order ${9000 + i}: connection reset by peer`);
      out.push('java.net.SocketException: Connection reset');
      out.push('    at java.net.SocketInputStream.read(SocketInputStream.java:210)');
      out.push('    at com.shop.payments.Gateway.charge(Gateway.java:88)');
      out.push('    at com.shop.payments.Worker.run(Worker.java:41)');
      continue;
    }
    if (i % 97 === 13) out.push(`${t} WARN  cache: eviction rate ${(i % 7) + 2}% above target`);
    else out.push(`${t} INFO  http: GET /api/orders/${1000 + (i % 50)} 200 in ${12 + (i % 17)}ms`);
  }
  return out.join('\n') + '\n';
}

/** `count` order records as pretty-printed JSON; every 40th is a 5xx with an error message. */
export function orderRecords(count: number): string {
  const items = Array.from({ length: count }, (_, i) => ({
    id: 10_000 + i,
    status: i % 40 === 17 ? 503 : 200,
    region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
    latency_ms: 20 + ((i * 37) % 90),
    error: i % 40 === 17 ? `upstream timeout after ${3000 + i} ms` : null,
    customer: `customer-${(i * 7) % 113}`,
  }));
  return JSON.stringify(items, null, 2);
}
