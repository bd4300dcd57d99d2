//! The progress bar: one bar per stage on stderr (partitions done / total,
//! elapsed, ETA), driven by the engine's job listener.

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sparkling::{JobListener, StageInfo};

/// Draws a bar per running stage on stderr.
pub struct ProgressBars {
    bars: MultiProgress,
    running: Mutex<HashMap<usize, ProgressBar>>,
}

impl ProgressBars {
    /// Bars on stderr.
    pub fn new() -> ProgressBars {
        ProgressBars {
            bars: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            running: Mutex::new(HashMap::new()),
        }
    }

    fn bar(&self, stage: &StageInfo) -> Option<ProgressBar> {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        running.get(&stage.id).cloned()
    }
}

impl JobListener for ProgressBars {
    fn stage_started(&self, stage: &StageInfo) {
        let style = ProgressStyle::with_template(
            "stage {prefix} {msg} [{bar:30}] {pos}/{len} partitions, {elapsed} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bar = self
            .bars
            .add(ProgressBar::new(stage.tasks as u64).with_style(style));
        bar.set_prefix(stage.id.to_string());
        bar.set_message(stage.rdd.clone());
        let mut running = self
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        running.insert(stage.id, bar);
    }

    fn task_finished(&self, stage: &StageInfo, _partition: usize) {
        if let Some(bar) = self.bar(stage) {
            bar.inc(1);
        }
    }

    fn stage_finished(&self, stage: &StageInfo) {
        let mut running = self
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(bar) = running.remove(&stage.id) {
            bar.finish();
        }
    }
}
