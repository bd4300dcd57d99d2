//! Output operations: printing and saving each batch.

use std::fmt::{Debug, Display, Write as _};
use std::io::Write as _;
use std::time::Duration;

use super::dstream::DStream;
use crate::{Data, SaveOptions};

impl<T: Data> DStream<T> {
    /// Prints the first `n` elements of every batch to standard output
    /// under a header with the batch time, and `...` when there are more
    /// (Spark's `pprint`, whose default is 10).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.queue_stream(vec![ctx.parallelize(vec![("a", 1), ("b", 2)])], true, None).pprint(10);
    /// ssc.start().unwrap();
    /// clock.advance(); // prints "Time: 1000 ms", ("a", 1) and ("b", 2)
    /// ssc.stop();
    /// ssc.await_termination().unwrap();
    /// ```
    pub fn pprint(&self, n: usize)
    where
        T: Debug,
    {
        self.foreach_rdd(move |time, rdd| {
            let first = rdd.take(n.saturating_add(1))?;
            let text = format_batch(time, &first, n);
            // A closed standard output is not the batch's failure.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            Ok(())
        });
    }

    /// Saves every batch as a directory of text files named
    /// `prefix-<batch time in ms>.suffix` (`prefix-<ms>` when `suffix` is
    /// empty), as Spark's `saveAsTextFiles` names them; each is written
    /// atomically by [`Rdd::save_as_text_file`](crate::Rdd::save_as_text_file).
    ///
    /// ```
    /// use std::time::Duration;
    /// let dir = tempfile::tempdir()?;
    /// let prefix = dir.path().join("counts");
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.queue_stream(vec![ctx.parallelize(vec![1, 2])], true, None)
    ///     .save_as_text_files(prefix.to_str().unwrap(), "txt");
    /// ssc.start()?;
    /// clock.advance();
    /// let saved = dir.path().join("counts-1000.txt");
    /// assert_eq!(ctx.text_file(saved.to_str().unwrap())?.collect()?, ["1", "2"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "saveAsTextFiles")]
    pub fn save_as_text_files(&self, prefix: &str, suffix: &str)
    where
        T: Display,
    {
        self.save_as_text_files_with(prefix, suffix, SaveOptions::new());
    }

    /// [`save_as_text_files`](DStream::save_as_text_files) with
    /// [`SaveOptions`]: a codec, overwriting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling::{Codec, SaveOptions};
    /// let dir = tempfile::tempdir()?;
    /// let prefix = dir.path().join("lines");
    /// let ctx = sparkling::Context::new();
    /// let (ssc, clock) =
    ///     sparkling::streaming::StreamingContext::with_manual_clock(&ctx, Duration::from_secs(1));
    /// ssc.queue_stream(vec![ctx.parallelize_with(vec!["x"], 1)], true, None)
    ///     .save_as_text_files_with(prefix.to_str().unwrap(), "", SaveOptions::new().codec(Codec::Gzip));
    /// ssc.start()?;
    /// clock.advance();
    /// assert!(dir.path().join("lines-1000").join("part-00000.gz").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "saveAsTextFiles")]
    pub fn save_as_text_files_with(&self, prefix: &str, suffix: &str, options: SaveOptions)
    where
        T: Display,
    {
        let (prefix, suffix) = (prefix.to_string(), suffix.to_string());
        self.foreach_rdd(move |time, rdd| {
            rdd.save_as_text_file_with(&batch_dir(&prefix, &suffix, time), options)
        });
    }
}

/// The directory of the batch at `time`: `prefix-<ms>[.suffix]`.
fn batch_dir(prefix: &str, suffix: &str, time: Duration) -> String {
    let millis = time.as_millis();
    if suffix.is_empty() {
        format!("{prefix}-{millis}")
    } else {
        format!("{prefix}-{millis}.{suffix}")
    }
}

/// What [`DStream::pprint`] prints for a batch whose first elements are
/// `first` (at most `n + 1` of them).
fn format_batch<T: Debug>(time: Duration, first: &[T], n: usize) -> String {
    let rule = "-------------------------------------------";
    let mut text = format!("{rule}\nTime: {} ms\n{rule}\n", time.as_millis());
    for element in first.iter().take(n) {
        let _ = writeln!(text, "{element:?}");
    }
    if first.len() > n {
        text.push_str("...\n");
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_prints_under_its_time_with_dots_past_n() {
        let rule = "-------------------------------------------";
        let text = format_batch(Duration::from_secs(2), &[1, 2, 3], 2);
        assert_eq!(
            text,
            format!("{rule}\nTime: 2000 ms\n{rule}\n1\n2\n...\n\n")
        );
        let text = format_batch(Duration::from_millis(500), &["a"], 2);
        assert_eq!(text, format!("{rule}\nTime: 500 ms\n{rule}\n\"a\"\n\n"));
    }

    #[test]
    fn batch_directories_are_named_by_time_in_milliseconds() {
        let time = Duration::from_millis(1500);
        assert_eq!(batch_dir("out/words", "txt", time), "out/words-1500.txt");
        assert_eq!(batch_dir("out/words", "", time), "out/words-1500");
    }
}
