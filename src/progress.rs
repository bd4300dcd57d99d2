//! Progress bars on stderr, one per running stage: partitions done of all,
//! bytes of files read of all where the stage reads files of known size,
//! elapsed time and ETA. Turned on by
//! [`ContextBuilder::progress`](crate::ContextBuilder::progress) or
//! `SPARKLING_PROGRESS=1`; drawn only when stderr is a terminal, so piped
//! and logged output stays clean. Needs the `progress` feature.

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::listener::{JobListener, StageInfo, TaskInfo};
use crate::rdd::lock;

/// A [`JobListener`] drawing a bar per running stage on stderr (nothing
/// when stderr is not a terminal).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use sparkling::{Context, progress::ProgressBars};
/// let ctx = Context::builder().listener(Arc::new(ProgressBars::new())).build()?;
/// assert_eq!(ctx.range(0, 1000).count()?, 1000);
/// # Ok::<(), sparkling::Error>(())
/// ```
pub struct ProgressBars {
    bars: MultiProgress,
    running: Mutex<HashMap<usize, Running>>,
}

/// A stage's bar and how many of its tasks have ended.
struct Running {
    bar: ProgressBar,
    tasks_done: usize,
    /// Whether the bar counts bytes (else partitions).
    counts_bytes: bool,
}

impl ProgressBars {
    /// Bars on stderr.
    ///
    /// # Examples
    ///
    /// ```
    /// let _bars = sparkling::progress::ProgressBars::new();
    /// ```
    pub fn new() -> ProgressBars {
        ProgressBars {
            bars: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            running: Mutex::new(HashMap::new()),
        }
    }
}

impl Default for ProgressBars {
    fn default() -> Self {
        ProgressBars::new()
    }
}

/// The bar's template: bytes when the stage's input size is known.
fn style(counts_bytes: bool) -> ProgressStyle {
    let template = if counts_bytes {
        "stage {prefix} {msg} [{bar:30}] {binary_bytes}/{binary_total_bytes}, {elapsed} (ETA {eta})"
    } else {
        "stage {prefix} {msg} [{bar:30}] {pos}/{len} partitions, {elapsed} (ETA {eta})"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// What the bar says beside it: the RDD, and the partitions when the bar
/// counts bytes.
fn message(stage: &StageInfo, running: &Running) -> String {
    if running.counts_bytes {
        format!(
            "{} {}/{} partitions",
            stage.rdd, running.tasks_done, stage.tasks
        )
    } else {
        stage.rdd.clone()
    }
}

impl JobListener for ProgressBars {
    fn stage_started(&self, stage: &StageInfo) {
        let bytes = stage.input_bytes.filter(|&bytes| bytes > 0);
        let counts_bytes = bytes.is_some();
        let length = bytes.unwrap_or(stage.tasks as u64);
        let bar = self
            .bars
            .add(ProgressBar::new(length).with_style(style(counts_bytes)));
        bar.set_prefix(stage.id.to_string());
        let running = Running {
            bar,
            tasks_done: 0,
            counts_bytes,
        };
        running.bar.set_message(message(stage, &running));
        lock(&self.running).insert(stage.id, running);
    }

    fn task_finished(&self, stage: &StageInfo, task: &TaskInfo) {
        let mut running = lock(&self.running);
        let Some(running) = running.get_mut(&stage.id) else {
            return;
        };
        running.tasks_done += 1;
        if running.counts_bytes {
            running.bar.inc(task.input_bytes.unwrap_or(0));
            running.bar.set_message(message(stage, running));
        } else {
            running.bar.inc(1);
        }
    }

    fn stage_finished(&self, stage: &StageInfo) {
        if let Some(running) = lock(&self.running).remove(&stage.id) {
            running.bar.finish();
        }
    }
}
