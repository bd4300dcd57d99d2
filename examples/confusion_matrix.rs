//! A confusion matrix with `aggregate`, from the pysparkling talk: a
//! classifier labelled many samples, and `(predicted, actual)` pairs are
//! folded into per-partition matrices (`seq_op`) that are then summed
//! (`comb_op`). Precision and recall follow from the matrix.
//!
//! ```text
//! cargo run --example confusion_matrix
//! ```

use sparkling::Context;

const CLASSES: usize = 3;
type Matrix = [[u64; CLASSES]; CLASSES];

fn main() -> sparkling::Result<()> {
    let ctx = Context::new();
    // A pretend classifier: right most of the time, confusing 1 and 2 sometimes.
    let labelled = ctx.range_with(0, 10_000, 8).map(|i| {
        let actual = (i % 3) as usize;
        let predicted = if i % 17 == 0 {
            (actual + 1) % CLASSES
        } else {
            actual
        };
        (predicted, actual)
    });
    let matrix: Matrix = labelled.aggregate(
        [[0; CLASSES]; CLASSES],
        |mut matrix, (predicted, actual)| {
            matrix[predicted][actual] += 1;
            matrix
        },
        |mut left, right| {
            for (row, other) in left.iter_mut().zip(right) {
                row.iter_mut()
                    .zip(other)
                    .for_each(|(cell, add)| *cell += add);
            }
            left
        },
    )?;
    println!(
        "predicted \\ actual: {:?}",
        (0..CLASSES).collect::<Vec<_>>()
    );
    for (class, row) in matrix.iter().enumerate() {
        let predicted: u64 = row.iter().sum();
        let actual: u64 = matrix.iter().map(|r| r[class]).sum();
        let hits = row[class] as f64;
        println!(
            "class {class}: {row:?}  precision {:.3}  recall {:.3}",
            hits / predicted as f64,
            hits / actual as f64
        );
    }
    Ok(())
}
