//! Prometheus metrics kept in memory: request counts and latency by route,
//! writer batch sizes and commit latency. Rendered at `/metrics`.
use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const BATCH_BUCKETS: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
];

pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: f64) {
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            if value <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.sum_micros
            .fetch_add((value * 1e6) as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        let total = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {total}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {total}");
    }
}

#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    requests: Mutex<BTreeMap<(&'static str, &'static str, u16), u64>>,
    latency: Mutex<BTreeMap<(&'static str, &'static str), Arc<Histogram>>>,
    batch_size: Histogram,
    commit_seconds: Histogram,
    commits: AtomicU64,
    records: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics(Arc::new(Inner {
            requests: Mutex::new(BTreeMap::new()),
            latency: Mutex::new(BTreeMap::new()),
            batch_size: Histogram::new(BATCH_BUCKETS),
            commit_seconds: Histogram::new(LATENCY_BUCKETS),
            commits: AtomicU64::new(0),
            records: AtomicU64::new(0),
        }))
    }
}

impl Metrics {
    /// `route` is the matched pattern, so the label set stays small whatever
    /// paths clients send; keys are static, so a request allocates nothing here.
    pub fn record_request(
        &self,
        method: &actix_web::http::Method,
        route: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let method = method_label(method);
        if let Ok(mut map) = self.0.requests.lock() {
            *map.entry((method, route, status)).or_default() += 1;
        }
        let hist = self.0.latency.lock().ok().map(|mut map| {
            map.entry((method, route))
                .or_insert_with(|| Arc::new(Histogram::new(LATENCY_BUCKETS)))
                .clone()
        });
        if let Some(h) = hist {
            h.observe(elapsed.as_secs_f64());
        }
    }

    pub fn record_commit(&self, jobs: usize, elapsed: Duration) {
        self.0.batch_size.observe(jobs as f64);
        self.0.commit_seconds.observe(elapsed.as_secs_f64());
        self.0.commits.fetch_add(1, Ordering::Relaxed);
        self.0.records.fetch_add(jobs as u64, Ordering::Relaxed);
    }

    pub fn commits(&self) -> u64 {
        self.0.commits.load(Ordering::Relaxed)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP wafunnel_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE wafunnel_http_requests_total counter\n");
        if let Ok(map) = self.0.requests.lock() {
            for ((method, route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "wafunnel_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP wafunnel_http_request_duration_seconds HTTP latency by route.\n");
        out.push_str("# TYPE wafunnel_http_request_duration_seconds histogram\n");
        if let Ok(map) = self.0.latency.lock() {
            for ((method, route), h) in map.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                h.render(&mut out, "wafunnel_http_request_duration_seconds", &labels);
            }
        }
        out.push_str("# HELP wafunnel_writer_batch_jobs Jobs applied per group commit.\n");
        out.push_str("# TYPE wafunnel_writer_batch_jobs histogram\n");
        self.0
            .batch_size
            .render(&mut out, "wafunnel_writer_batch_jobs", "");
        out.push_str(
            "# HELP wafunnel_writer_commit_seconds Time to apply and durably commit a batch.\n",
        );
        out.push_str("# TYPE wafunnel_writer_commit_seconds histogram\n");
        self.0
            .commit_seconds
            .render(&mut out, "wafunnel_writer_commit_seconds", "");
        out.push_str("# TYPE wafunnel_writer_commits_total counter\n");
        let _ = writeln!(out, "wafunnel_writer_commits_total {}", self.commits());
        out
    }
}

fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
