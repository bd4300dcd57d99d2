//! Bringing your own pool: anything that can run a batch of jobs.
//!
//! This pool runs each stage's jobs on freshly spawned scoped threads, at
//! most `width` at a time, and logs what it was asked to do.
//!
//! ```text
//! cargo run --example custom_pool
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sparkling::Context;
use sparkling::pool::{Job, Pool};

/// Runs jobs in waves of `width` scoped threads and counts the stages.
struct WavePool {
    width: usize,
    stages: AtomicUsize,
}

impl Pool for WavePool {
    fn run(&self, jobs: Vec<Job<'_>>) {
        let stage = self.stages.fetch_add(1, Ordering::Relaxed);
        println!(
            "stage {stage}: {} tasks in waves of {}",
            jobs.len(),
            self.width
        );
        let mut jobs = jobs.into_iter().peekable();
        while jobs.peek().is_some() {
            let wave: Vec<Job<'_>> = jobs.by_ref().take(self.width).collect();
            std::thread::scope(|scope| {
                for job in wave {
                    scope.spawn(job);
                }
            });
        }
    }

    fn parallelism(&self) -> usize {
        self.width
    }

    fn describe(&self) -> String {
        format!("waves:{}", self.width)
    }
}

fn main() -> sparkling::Result<()> {
    let pool = Arc::new(WavePool {
        width: 3,
        stages: AtomicUsize::new(0),
    });
    let ctx = Context::builder().pool(pool.clone()).build()?;
    let squares = ctx.range(1, 1001).map(|x| x * x);
    println!("sum of squares: {}", squares.sum()?);
    println!("largest three: {:?}", squares.top(3)?);
    println!(
        "{} stages ran on {}",
        pool.stages.load(Ordering::Relaxed),
        ctx.pool().describe()
    );
    Ok(())
}
