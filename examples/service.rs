//! A small HTTP service (axum on tokio) that runs a job per request, with a
//! deadline per request, awaiting the job instead of blocking the runtime.
//! A client that disconnects cancels its job.
//!
//! ```text
//! cargo run --release --example service -- 127.0.0.1:8080
//! curl -s --data-binary @examples/data/lorem.txt 'localhost:8080/wordcount?top=3'
//! curl -s 'localhost:8080/grep?path=examples/data/*.txt&pattern=dolor'
//! curl -s 'localhost:8080/primes?below=100000000&timeout_ms=200'   # 504: deadline
//! curl -s localhost:8080/stats
//! ```
//!
//! Endpoints (every job endpoint takes `timeout_ms`, default 10,000):
//! - `POST /wordcount?top=N`: the N most frequent words of the body, as
//!   JSON `[[word, count], ...]`;
//! - `GET /grep?path=EXPR&pattern=TEXT`: how many lines of the files `EXPR`
//!   names (any path expression the library reads) contain `TEXT`;
//! - `GET /primes?below=N`: how many primes are below N (a CPU-bound job);
//! - `GET /stats`: jobs running, succeeded, failed and cancelled so far.
//!
//! A job past its deadline answers 504, a bad path 404, other errors 500.

use std::cmp::Reverse;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sparkling::{Context, Error, JobGroup, JobListener, JobMetrics};

/// Counts how the Context's jobs ended.
#[derive(Default)]
struct JobCounts {
    succeeded: AtomicU64,
    failed: AtomicU64,
    cancelled: AtomicU64,
}

impl JobListener for JobCounts {
    fn job_finished(&self, job: &JobMetrics) {
        let counter = match (job.succeeded, job.cancelled) {
            (true, _) => &self.succeeded,
            (false, true) => &self.cancelled,
            (false, false) => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Clone)]
struct App {
    ctx: Context,
    counts: Arc<JobCounts>,
    next_request: Arc<AtomicU64>,
}

/// A failed request: status and message.
type Failure = (StatusCode, String);

impl App {
    /// The job group of one request, with its deadline.
    fn request_group(&self, timeout_ms: Option<u64>) -> JobGroup {
        let id = self.next_request.fetch_add(1, Ordering::Relaxed);
        let timeout = Duration::from_millis(timeout_ms.unwrap_or(10_000));
        JobGroup::new(format!("request-{id}")).with_timeout(timeout)
    }
}

/// The HTTP answer for an engine error.
fn failure(error: Error) -> Failure {
    let status = match &error {
        Error::Cancelled { .. } => StatusCode::GATEWAY_TIMEOUT,
        Error::File(sparkling::fileio::Error::NotFound { .. }) => StatusCode::NOT_FOUND,
        Error::File(sparkling::fileio::Error::FeatureDisabled { .. }) => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, format!("{error}\n"))
}

#[derive(Deserialize)]
struct WordCountQuery {
    top: Option<usize>,
    timeout_ms: Option<u64>,
}

async fn wordcount(
    State(app): State<App>,
    Query(query): Query<WordCountQuery>,
    body: String,
) -> Result<Json<Vec<(String, u64)>>, Failure> {
    let lines: Vec<String> = body.lines().map(str::to_owned).collect();
    let counts = app
        .ctx
        .parallelize(lines)
        .flat_map(|line| {
            line.split_whitespace()
                .map(|word| word.to_lowercase())
                .collect::<Vec<_>>()
        })
        .map(|word| (word, 1u64))
        .reduce_by_key(|a, b| a + b);
    let top = query.top.unwrap_or(10);
    // Most frequent first, ties by word; run_async awaits any actions.
    let job = app.request_group(query.timeout_ms).run(|| {
        app.ctx.run_async(move || {
            counts.take_ordered_by_key(top, |(word, count)| (Reverse(*count), word.clone()))
        })
    });
    job.await.map(Json).map_err(failure)
}

#[derive(Deserialize)]
struct GrepQuery {
    path: String,
    pattern: String,
    timeout_ms: Option<u64>,
}

async fn grep(State(app): State<App>, Query(query): Query<GrepQuery>) -> Result<String, Failure> {
    let lines = app.ctx.text_file(&query.path).map_err(failure)?;
    let pattern = query.pattern;
    let matching = lines.filter(move |line| line.contains(pattern.as_str()));
    let job = app
        .request_group(query.timeout_ms)
        .run(|| matching.count_async());
    Ok(format!("{}\n", job.await.map_err(failure)?))
}

#[derive(Deserialize)]
struct PrimesQuery {
    below: i64,
    timeout_ms: Option<u64>,
}

fn is_prime(n: i64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

async fn primes(
    State(app): State<App>,
    Query(query): Query<PrimesQuery>,
) -> Result<String, Failure> {
    let parallelism = app.ctx.default_parallelism() * 4;
    let candidates = app.ctx.range_with(0, query.below, parallelism);
    let job = app
        .request_group(query.timeout_ms)
        .run(|| candidates.filter(|&n| is_prime(n)).count_async());
    Ok(format!("{}\n", job.await.map_err(failure)?))
}

async fn stats(State(app): State<App>) -> String {
    let counts = &app.counts;
    format!(
        "{{\"running\":{},\"succeeded\":{},\"failed\":{},\"cancelled\":{}}}\n",
        app.ctx.running_jobs(),
        counts.succeeded.load(Ordering::Relaxed),
        counts.failed.load(Ordering::Relaxed),
        counts.cancelled.load(Ordering::Relaxed),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string())
        .parse()?;
    let counts = Arc::new(JobCounts::default());
    let ctx = Context::builder().listener(counts.clone()).build()?;
    let app = App {
        ctx,
        counts,
        next_request: Arc::new(AtomicU64::new(0)),
    };
    let router = Router::new()
        .route("/wordcount", post(wordcount))
        .route("/grep", get(grep))
        .route("/primes", get(primes))
        .route("/stats", get(stats))
        .with_state(app);
    // One runtime thread is enough: jobs run on the engine's pool.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(address).await?;
        eprintln!("listening on http://{}", listener.local_addr()?);
        axum::serve(listener, router).await
    })?;
    Ok(())
}
