// The workload table: sizes (full and --quick), the unit of the compared figure,
// and the targets from issue 3 (wasock/node) and issue 4 (QuickJS guest).
// `better: "higher"` ratios are impl/node:net and must be >= target;
// `better: "lower"` ratios are impl/node:net and must be <= target.

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const WORKLOADS = [
  {
    name: "bulk-sink",
    client: "bulkSink",
    unit: "MB/s",
    better: "higher",
    full: { total: GiB, chunk: 64 * 1024 },
    quick: { total: 64 * MiB, chunk: 64 * 1024 },
    target: { wasock: 0.9, guest: 0.6 },
  },
  {
    name: "bulk-echo",
    client: "bulkEcho",
    unit: "MB/s",
    better: "higher",
    full: { total: GiB, chunk: 64 * 1024 },
    quick: { total: 64 * MiB, chunk: 64 * 1024 },
    target: { wasock: 0.9, guest: 0.7 },
  },
  {
    name: "pingpong",
    client: "pingpong",
    unit: "rt/s",
    better: "higher",
    full: { size: 32, rounds: 100_000 },
    quick: { size: 32, rounds: 5_000 },
    target: { wasock: 0.9, guest: 0.75 },
  },
  {
    name: "churn-1",
    client: "churn",
    unit: "conn/s",
    better: "higher",
    full: { count: 20_000, concurrency: 1 },
    quick: { count: 1_000, concurrency: 1 },
    target: { wasock: 0.85, guest: 0.75 },
  },
  {
    name: "churn-50",
    client: "churn",
    unit: "conn/s",
    better: "higher",
    full: { count: 20_000, concurrency: 50 },
    quick: { count: 1_000, concurrency: 50 },
    // issue 4 sets no guest target for churn-50: measured and shown, not judged
    target: { wasock: 0.85, guest: null },
  },
  {
    name: "fanout",
    client: "fanout",
    unit: "B/conn",
    better: "lower",
    // RSS is sampled after `first` connections and again after `more`: the
    // figure is the marginal server RSS per connection, free of lazy start-up costs.
    full: { first: 500, more: 5_000, inflight: 100 },
    quick: { first: 100, more: 500, inflight: 100 },
    target: { wasock: 1.0 },
    // the guest is a client; fanout measures a server, so it has no guest row
    guest: false,
  },
];
