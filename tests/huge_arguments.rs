//! A huge `n` means "all of them" where Spark allows it, or an
//! `InvalidArgument` error; never a panic (issue 16, item 3).

mod common;

use common::contexts;
use sparkling::{Error, SampleOptions};

#[test]
fn huge_counts_give_every_element_or_an_invalid_argument() {
    for (pool, ctx) in contexts() {
        let rdd = ctx.parallelize_with(vec![5, 3, 9, 1, 7], 3);
        assert_eq!(rdd.take(usize::MAX).unwrap(), [5, 3, 9, 1, 7], "{pool}");
        assert_eq!(
            rdd.take_ordered(usize::MAX).unwrap(),
            [1, 3, 5, 7, 9],
            "{pool}"
        );
        assert_eq!(rdd.top(usize::MAX).unwrap(), [9, 7, 5, 3, 1], "{pool}");

        let mut all = rdd.take_sample(usize::MAX).unwrap();
        all.sort_unstable();
        assert_eq!(all, [1, 3, 5, 7, 9], "{pool}");

        let replacing = SampleOptions::new().with_replacement(true).seed(3);
        match rdd.take_sample_with(usize::MAX, replacing) {
            Err(Error::InvalidArgument { operation, message }) => {
                assert_eq!(operation, "take_sample", "{pool}");
                assert!(message.contains("parallelize["), "{pool}: {message}");
            }
            other => panic!("{pool}: take_sample with replacement of usize::MAX gave {other:?}"),
        }

        let numbers = ctx.parallelize_with(vec![0.0, 1.0, 2.0], 2);
        match numbers.histogram(usize::MAX) {
            Err(Error::InvalidArgument { operation, .. }) => assert_eq!(operation, "histogram"),
            other => panic!("{pool}: histogram(usize::MAX) gave {other:?}"),
        }
    }
}
